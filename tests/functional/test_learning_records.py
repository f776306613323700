"""Every statement a launch emits reaches a real LRS once and reads back identical."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from lti_tool.learning_records.delivery import StatementWorker
from lti_tool.learning_records.records import TOPIC, add_destination
from lti_tool.persistence.models import OutboxMessage
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser
from tests.support.ralph import PASSWORD, USERNAME, Ralph
from xapi.delivery import equivalent
from xapi.profile import Verb


def test_launch_statements_reach_the_lrs_once(world: LtiWorld, ralph: Ralph) -> None:
    with world.services.engine.begin() as connection:
        add_destination(
            connection,
            endpoint=ralph.endpoint,
            username=USERNAME,
            password=PASSWORD,
            platform_id=None,
            secrets=world.services.secret_box,
        )
    for person in ("demo-teacher", "demo-learner-1", "demo-learner-1", "demo-learner-4"):
        assert world.launch(person)[1].status == 200
    with world.services.sessions() as session:
        sent = [
            json.loads(payload)
            for payload in session.scalars(
                select(OutboxMessage.payload)
                .where(OutboxMessage.topic == TOPIC)  # the teacher's also asks for a roster sync
                .order_by(OutboxMessage.id)
            )
        ]
    assert [s["verb"]["id"] for s in sent] == [Verb.LAUNCHED.iri] * 4
    assert len({s["id"] for s in sent}) == 4

    worker = StatementWorker(world.services.engine, secrets=world.services.secret_box)
    assert worker.run_once() == 4
    assert worker.run_once() == 0

    stored = ralph.stored()
    assert sorted(s["id"] for s in stored) == sorted(s["id"] for s in sent)
    for statement in sent:
        read_back = ralph.fetch(statement["id"])
        assert read_back is not None
        assert equivalent(statement, read_back["statements"][0])
    # Learners are LMS accounts, never names or emails.
    assert "Grace" not in json.dumps(stored)
    assert "@example.edu" not in json.dumps(stored)


def test_in_process_delivery(tmp_path: Path, database_url: str, ralph: Ralph) -> None:
    from tests.functional.conftest import build_world  # noqa: PLC0415
    from tests.integration.xapi.conftest import wait_for  # noqa: PLC0415

    world_iter = build_world(tmp_path, database_url, xapi_in_process=True)
    world = next(world_iter)
    try:
        with world.services.engine.begin() as connection:
            add_destination(
                connection,
                endpoint=ralph.endpoint,
                username=USERNAME,
                password=PASSWORD,
                platform_id=None,
                secrets=world.services.secret_box,
            )
        world.launch("demo-learner-2")
        wait_for(lambda: len(ralph.stored()) == 1, timeout=30)
    finally:
        next(world_iter, None)


def test_admin_page_shows_delivery_status_to_lms_administrators_only(world: LtiWorld) -> None:
    admin_role = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
    page = world.tampered_launch(
        "demo-learner-1",
        lambda c: c.update({"https://purl.imsglobal.org/spec/lti/claim/roles": [admin_role]}),
    )
    assert page.status == 200
    token = page.meta("peerlearn-session")
    browser = Browser()
    status = browser.get(f"{world.tool_url}/app/admin/learning-records?ls={token}")
    assert status.status == 200
    assert "Kept: no LRS configured" not in status.text  # held: system-wide, CLI only

    _browser, teacher = world.launch("demo-teacher")
    refused = browser.get(
        f"{world.tool_url}/app/admin/learning-records?ls={teacher.meta('peerlearn-session')}"
    )
    assert refused.status == 403
    assert refused.error_code() == "admin_only"
