"""The administrators' learning-records page shows one platform's LRSs only (issue 12,
item 6): an Administrator of one LMS never sees another platform's LRS destinations,
endpoints or counts, nor the global ones; the system-wide view is ``peerlearn xapi
status`` (``delivery_overview`` without a platform)."""

from __future__ import annotations

from lti_tool.learning_records.records import (
    TOPIC,
    add_destination,
    delivery_overview,
    destination_name,
)
from lti_tool.outbox import store as outbox
from tests.factories import lti as rows
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser

ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"


def test_an_administrator_sees_only_their_platforms_lrs(world: LtiWorld) -> None:
    with world.services.engine.begin() as connection:
        other = rows.platform(connection, "https://other-lms.example", client_id="other")
        ours = add_destination(
            connection,
            endpoint="https://lrs.ours.example/xapi",
            username="u",
            password="p",
            secrets=world.services.secret_box,
            platform_id=world.platform_id,
            name="Our own LRS",
        )
        theirs = add_destination(
            connection,
            endpoint="https://lrs.theirs.example/xapi",
            username="u",
            password="p",
            secrets=world.services.secret_box,
            platform_id=other,
            name="Their secret LRS",
        )
        add_destination(
            connection,
            endpoint="https://lrs.global.example/xapi",
            username="u",
            password="p",
            secrets=world.services.secret_box,
            platform_id=None,
            name="The global LRS",
        )
        for n in range(3):
            outbox.enqueue(
                connection,
                topic=TOPIC,
                destinations=[destination_name(theirs)],
                key=f"theirs-{n}",
                payload="{}",
                now=0.0,
            )

    page = world.tampered_launch("demo-learner-1", lambda c: c.update({ROLES: [ADMIN]}))
    assert page.status == 200, page.text
    status = Browser().get(
        f"{world.tool_url}/app/admin/learning-records?ls={page.meta('peerlearn-session')}"
    )

    assert status.status == 200, status.text
    assert "Our own LRS" in status.text
    for hidden in ("Their secret LRS", "lrs.theirs.example", "The global LRS", "lrs:"):
        assert hidden not in status.text
    assert "peerlearn xapi status" in status.text
    # The operators' view (the CLI) still sees everything.
    everything = delivery_overview(world.services.engine)
    assert {destination_name(ours), destination_name(theirs)} <= set(everything.destinations)
    assert destination_name(theirs) in {row.destination for row in everything.rows}
