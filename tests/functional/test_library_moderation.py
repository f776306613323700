"""Library moderation and sharing through real launches from the demo LMS: flag, queue,
hide, the author told, every act audited; the approval policy; sharing inside one
deployment only; and who may call every endpoint."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_tool.learning_records.records import TOPIC
from lti_tool.outbox import store as outbox
from lti_tool.persistence.library_models import (
    LibraryAudit,
    LibraryComment,
    LibraryFlag,
    LibraryItem,
    LibraryNotification,
    LibraryShare,
)
from tests.factories.library_visits import Library, second_platform
from tests.functional.conftest import LtiWorld


@pytest.fixture
def library(world: LtiWorld) -> Library:
    library = Library(world)
    for person in ("demo-teacher", "demo-learner-1", "demo-learner-2"):
        library.launch(person)
    return library


def verbs(world: LtiWorld) -> Counter[str]:
    with world.services.engine.connect() as connection:
        return Counter(
            json.loads(payload)["verb"]["display"]["en-US"]
            for payload in outbox.payloads(connection, topic=TOPIC)
        )


def audit(world: LtiWorld) -> list[tuple[str, str, int]]:
    with world.services.engine.connect() as connection:
        return [
            (row.action, row.target_kind, row.target_id)
            for row in connection.execute(select(LibraryAudit).order_by(LibraryAudit.id))
        ]


def assert_author_sees_the_outcome(library: Library, key: str) -> None:
    own = library.get("demo-learner-1", f"/items/{key}/flag")
    assert own.status == 200
    assert 'id="own-work"' in own.text
    assert 'name="reason"' not in own.text
    told = re.search(r'id="moderation-notice" role="status">(.*?)</p>', own.text, re.S)
    assert told, own.text
    assert "was hidden by staff" in told[1]
    assert "Staff note: Off topic" in told[1]
    # The item page tells the author the same, and offers no flag form on their own item.
    page = library.get("demo-learner-1", f"/items/{key}")
    told = re.search(r'id="moderation-notice" role="status">(.*?)</p>', page.text, re.S)
    assert told, page.text
    assert "Staff note: Off topic" in told[1]
    assert 'id="flag-item"' not in page.text


def test_flag_queue_hide_and_the_author_is_told(library: Library, world: LtiWorld) -> None:
    item_id, key = library.insert_item("demo-learner-1", title="Pivot tables", body="**Sum** it up")
    page = library.get("demo-learner-2", f"/items/{key}")
    assert 'id="flag-item"' in page.text  # the item page offers the flag form
    assert 'id="flag-item"' not in library.get("demo-learner-1", f"/items/{key}").text
    form = library.get("demo-learner-2", f"/items/{key}/flag")
    assert form.status == 200
    assert 'name="reason"' in form.text
    assert 'value="spam"' in form.text
    flagged = library.post(
        "demo-learner-2", f"/items/{key}/flag", reason="spam", details="Sells watches"
    )
    assert flagged.status == 200, flagged.text
    assert "Staff of the course will look at it" in flagged.text
    again = library.post("demo-learner-2", f"/items/{key}/flag", reason="spam")
    assert (again.status, again.error_code()) == (409, "flag_already_open")
    own = library.post("demo-learner-1", f"/items/{key}/flag", reason="spam")
    assert (own.status, own.error_code()) == (403, "flag_own")
    unknown = library.post("demo-teacher", f"/items/{key}/flag", reason="because")
    assert (unknown.status, unknown.error_code()) == (400, "flag_reason_unknown")

    queue = library.get("demo-teacher", "/moderation")
    assert queue.status == 200
    entry = re.search(rf'id="flagged-item-{item_id}".*?</article>', queue.text, re.S)
    assert entry, queue.text
    assert "Pivot tables" in entry[0]
    assert 'class="flag-count">1<' in entry[0]
    assert "Spam or advertising (1)" in entry[0]
    assert "Sells watches" in entry[0]
    assert "Alan Turing" not in queue.text  # the flagger is not named to staff either

    review = library.get("demo-teacher", f"/moderation/items/{key}")
    assert "<strong>Sum</strong> it up" in review.text
    hidden = library.post(
        "demo-teacher", f"/moderation/items/{key}/decision", decision="hide", note="Off topic"
    )
    assert hidden.status == 200
    assert "Hidden: learners no longer see it" in hidden.text
    assert 'id="queue-empty"' in hidden.text

    # Learners no longer find it; the author and staff still do, marked hidden.
    assert library.get("demo-learner-2", f"/items/{key}/flag").status == 404
    assert_author_sees_the_outcome(library, key)
    review = library.get("demo-teacher", f"/moderation/items/{key}")
    assert 'id="item-state">hidden<' in review.text
    with world.services.engine.connect() as connection:
        assert connection.scalar(select(LibraryItem.state)) == "hidden"
        assert connection.scalar(select(LibraryFlag.outcome)) == "hidden"
        note = connection.execute(select(LibraryNotification)).one()
    assert (note.user_id, note.kind) == (library.user_of("demo-learner-1"), "moderation")
    assert note.message == (
        "Your item “Pivot tables” was hidden by staff. Others in the course no longer see it; "
        "you and staff still do. It was reported as: Spam or advertising. Staff note: Off topic"
    )
    assert audit(world) == [("flagged", "item", item_id), ("hidden", "item", item_id)]
    restored = library.post(
        "demo-teacher",
        f"/moderation/items/{key}/decision",
        decision="restore",
        back=f"review:{key}",
    )
    assert "Restored" in restored.text
    assert library.get("demo-learner-2", f"/items/{key}/flag").status == 200
    assert verbs(world)["flagged"] == 1


def test_comments_are_flagged_and_hidden(library: Library, world: LtiWorld) -> None:
    item_id, key = library.insert_item("demo-learner-1")
    comment_id = library.insert_comment("demo-learner-2", item_id, body="You are *all* wrong")
    page = library.get("demo-learner-1", f"/comments/{comment_id}/flag")
    assert "You are <em>all</em> wrong" in page.text
    assert (
        library.post("demo-learner-1", f"/comments/{comment_id}/flag", reason="harassment").status
        == 200
    )
    queue = library.get("demo-teacher", "/moderation")
    assert f'id="flagged-comment-{comment_id}"' in queue.text
    assert "Harassment or bullying (1)" in queue.text
    before = library.get("demo-teacher", f"/moderation/items/{key}")
    thread = re.search(rf'id="comment-{comment_id}".*?</article>', before.text, re.S)
    assert thread
    assert "Open flags: Harassment or bullying (1)" in thread[0]
    assert 'id="item-flags"' not in before.text
    assert (
        library.post(
            "demo-teacher", f"/moderation/comments/{comment_id}/decision", decision="hide"
        ).status
        == 200
    )
    assert library.get("demo-learner-1", f"/comments/{comment_id}/flag").status == 404
    assert library.get("demo-learner-2", f"/comments/{comment_id}/flag").status == 200
    review = library.get("demo-teacher", f"/moderation/items/{key}")
    assert f'id="comment-{comment_id}" data-hidden="true"' in review.text
    with world.services.engine.connect() as connection:
        assert connection.scalar(select(LibraryComment.hidden_at)) is not None
        note = connection.execute(select(LibraryNotification)).one()
    assert note.user_id == library.user_of("demo-learner-2")
    assert "Grace" not in note.message
    assert audit(world) == [("flagged", "comment", comment_id), ("hidden", "comment", comment_id)]


def test_approval_policy_holds_items_until_staff_approve(library: Library, world: LtiWorld) -> None:
    page = library.get("demo-teacher", "/moderation/policy")
    assert 'value="open" checked' in page.text
    saved = library.post("demo-teacher", "/moderation/policy", policy="approval")
    assert "policy was saved" in saved.text
    assert 'value="approval" checked' in saved.text
    assert library.post("demo-learner-1", "/moderation/policy", policy="open").status == 403
    bad = library.post("demo-teacher", "/moderation/policy", policy="anarchy")
    assert (bad.status, bad.error_code()) == (400, "moderation_policy_unknown")
    queue = library.get("demo-teacher", "/moderation")
    assert 'id="policy">Staff approve every item first<' in queue.text

    item_id, key = library.insert_item("demo-learner-1", state="pending", title="Waiting")
    assert library.get("demo-learner-2", f"/items/{key}/flag").status == 404
    queue = library.get("demo-teacher", "/moderation")
    assert f'id="pending-{key}"' in queue.text
    early = library.post("demo-teacher", f"/items/{key}/flag", reason="spam")
    assert (early.status, early.error_code()) == (403, "flag_not_published")
    approved = library.post("demo-teacher", f"/moderation/items/{key}/decision", decision="approve")
    assert "Approved" in approved.text
    assert library.get("demo-learner-2", f"/items/{key}/flag").status == 200
    again = library.post("demo-teacher", f"/moderation/items/{key}/decision", decision="approve")
    assert (again.status, again.error_code()) == (409, "item_published_not_approved")
    with world.services.engine.connect() as connection:
        assert connection.scalar(select(LibraryItem.state)) == "published"
        message = connection.scalar(select(LibraryNotification.message))
    assert message == "Your item “Waiting” was approved by staff and is now published."
    assert [row[0] for row in audit(world)] == ["policy", "approved"]
    assert audit(world)[1] == ("approved", "item", item_id)


def test_sharing_stays_inside_one_deployment(
    library: Library, world: LtiWorld, tmp_path: Path
) -> None:
    _item_id, key = library.insert_item("demo-learner-1", title="Shared tips")
    library.launch_elsewhere("teacher-sibling", "demo-teacher", "sibling-course")
    library.launch_elsewhere("learner-sibling", "demo-learner-3", "sibling-course")
    library.insert_deployment()
    library.launch_elsewhere(
        "teacher-far", "demo-teacher", "far-course", deployment="other-deployment"
    )
    with second_platform(world, tmp_path / "second") as other:
        library.launch_from("teacher-other-platform", other, "demo-teacher")
        sibling = library.context_of("teacher-sibling")
        far = library.context_of("teacher-far")
        foreign = library.context_of("teacher-other-platform")
        page = library.get("demo-teacher", f"/items/{key}/share")
        assert page.status == 200
        assert f'data-course="{sibling}"' in page.text
        assert "Course sibling-course" in page.text
        assert f'data-course="{far}"' not in page.text
        assert f'data-course="{foreign}"' not in page.text
        for refused in (far, foreign):
            answer = library.post("demo-teacher", f"/items/{key}/share", course=str(refused))
            assert (answer.status, answer.error_code()) == (404, "share_target_unknown")
        assert library.get("learner-sibling", f"/items/{key}/flag").status == 404
        shared = library.post("demo-teacher", f"/items/{key}/share", course=str(sibling))
        assert "Shared." in shared.text
        assert library.get("learner-sibling", f"/items/{key}/flag").status == 200
        # Staff of the course it was shared to read it but neither moderate nor reshare.
        assert library.get("teacher-sibling", f"/moderation/items/{key}").status == 403
        assert library.get("teacher-sibling", f"/items/{key}/share").status == 403
        assert library.get("teacher-far", f"/items/{key}/flag").status == 404
        assert library.get("teacher-other-platform", f"/items/{key}/flag").status == 404
        unshared = library.post("demo-teacher", f"/items/{key}/unshare", course=str(sibling))
        assert "No longer shared" in unshared.text
        assert library.get("learner-sibling", f"/items/{key}/flag").status == 404
    with world.services.engine.connect() as connection:
        assert connection.execute(select(LibraryShare)).first() is None
    assert [row[0] for row in audit(world)] == ["shared", "unshared"]
    assert verbs(world)["shared"] == 1
