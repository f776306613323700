"""The course library's authoring end to end, launched from lti1p3platform: drafts,
versions and restore, publishing (open and approval courses), soft deletion with voided
statements, and every statement delivered to Ralph."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import insert, select, update

from lti_tool.learning_records.records import TOPIC
from lti_tool.outbox import store as outbox
from lti_tool.persistence.library_models import (
    LibraryAudit,
    LibraryCourse,
    LibraryItem,
    LibraryItemTopic,
    LibraryItemVersion,
    LibraryTopic,
    LibraryView,
)
from tests.factories.library_visits import Library
from tests.functional.conftest import LtiWorld


@pytest.fixture
def library(world: LtiWorld) -> Library:
    found = Library(world)
    for person in ("demo-teacher", "demo-learner-1", "demo-learner-2"):
        found.launch(person)
    return found


def statements(world: LtiWorld) -> list[dict]:
    with world.services.engine.connect() as connection:
        return [json.loads(p) for p in outbox.payloads(connection, topic=TOPIC)]


def verbs(world: LtiWorld) -> Counter[str]:
    return Counter(s["verb"]["display"]["en-US"] for s in statements(world))


def test_draft_edit_history_restore_and_publish(library: Library) -> None:
    key = library.create_item(
        "demo-learner-1", title="Giving feedback", body="First *draft*.", topics="Feedback, Writing"
    )
    edit = library.get("demo-learner-1", f"/items/{key}/edit")
    assert edit.status == 200
    assert 'id="item-state">draft<' in edit.text
    # Others do not see a draft.
    assert library.get("demo-learner-2", f"/items/{key}").status == 404
    assert library.get("demo-teacher", f"/items/{key}").status == 200

    second = library.post(
        "demo-learner-1",
        f"/items/{key}/edit",
        version="1",
        title="Giving useful feedback",
        body="Second version.",
        topics="feedback, Peer review",
    )
    assert second.status == 200
    assert "Saved (version 2)" in second.text
    # A save from a stale form is refused, not merged over the newer version.
    stale = library.post(
        "demo-learner-1", f"/items/{key}/edit", version="1", title="Stale", body="Stale."
    )
    assert stale.status == 409
    assert library.item_version(key) == 2
    # A form sent back for its mistakes keeps the version it was edited from.
    mistaken = library.post("demo-learner-1", f"/items/{key}/edit", version="1", title="")
    assert mistaken.status == 422
    assert 'name="version" value="1"' in mistaken.text

    history = library.get("demo-learner-1", f"/items/{key}/history")
    assert 'data-version="1"' in history.text
    assert 'data-version="2"' in history.text
    assert 'data-changes="1">created<' in history.text
    assert 'data-changes="2">title, text, topics<' in history.text
    first = library.get("demo-learner-1", f"/items/{key}/history/1")
    assert "First <em>draft</em>." in first.text
    restored = library.post("demo-learner-1", f"/items/{key}/history/1/restore", version="2")
    assert restored.status == 200
    assert "Restored as version 3" in restored.text
    item = library.item_row(key)
    assert (item.version, item.title, item.body_markdown) == (
        3,
        "Giving feedback",
        "First *draft*.",
    )
    with library.world.services.engine.connect() as connection:
        saved = connection.execute(
            select(LibraryItemVersion.number, LibraryItemVersion.topics)
            .where(LibraryItemVersion.item_id == item.id)
            .order_by(LibraryItemVersion.number)
        ).all()
        names = connection.execute(
            select(LibraryTopic.name)
            .join(LibraryItemTopic, LibraryItemTopic.topic_id == LibraryTopic.id)
            .where(LibraryItemTopic.item_id == item.id)
            .order_by(LibraryTopic.name)
        ).scalars()
        assert list(names) == ["Feedback", "Writing"]
    assert [(n, sorted(t)) for n, t in saved] == [
        (1, ["Feedback", "Writing"]),
        (2, ["Feedback", "Peer review"]),
        (3, ["Feedback", "Writing"]),
    ]

    published = library.post("demo-learner-1", f"/items/{key}/publish")
    assert published.status == 200
    assert 'id="published-notice"' in published.text
    page = library.get("demo-learner-2", f"/items/{key}")
    assert page.status == 200
    assert "First <em>draft</em>." in page.text
    assert 'id="author-name">Grace Hopper<' in page.text
    # Viewed once per hour however often it is opened; the author's views do not count.
    library.get("demo-learner-2", f"/items/{key}")
    library.get("demo-learner-1", f"/items/{key}")
    assert library.item_row(key).view_count == 1
    assert library.count_rows(LibraryView) == 1
    assert verbs(library.world) == Counter({"launched": 3, "authored": 1, "edited": 2, "viewed": 1})


def test_approval_courses_hold_learners_items_for_staff(library: Library) -> None:
    world = library.world
    with world.services.engine.begin() as connection:
        context_id = library.item_row(library.create_item("demo-teacher")).context_id
        connection.execute(
            insert(LibraryCourse).values(context_id=context_id, moderation="approval")
        )
    key = library.create_item("demo-learner-1", title="Pending tip", kind="tip", body="Short.")
    page = library.post("demo-learner-1", f"/items/{key}/publish")
    assert page.status == 200
    assert 'id="pending-notice"' in page.text
    assert library.item_row(key).state == "pending"
    assert library.item_row(key).published_at is None
    assert library.get("demo-learner-2", f"/items/{key}").status == 404
    mine = library.get("demo-learner-1", "/mine")
    assert key in mine.text.split('id="mine-pending"')[1].split("</ul>")[0]
    # Staff publish at once, even under approval.
    own = library.create_item("demo-teacher", title="Staff item")
    library.post("demo-teacher", f"/items/{own}/publish")
    assert library.item_row(own).state == "published"
    # Once approved (staff's moderation queue sets the state), a learner's edit goes back
    # to staff; a staff edit does not.
    with world.services.engine.begin() as connection:
        connection.execute(
            update(LibraryItem).where(LibraryItem.key == key).values(state="published")
        )
    assert library.get("demo-learner-2", f"/items/{key}").status == 200
    edited = library.post(
        "demo-learner-1", f"/items/{key}/edit", version="1", title="New", body="B"
    )
    assert edited.status == 200
    assert library.item_row(key).state == "pending"
    assert library.get("demo-learner-2", f"/items/{key}").status == 404
    assert library.get("demo-teacher", f"/items/{key}").status == 200
    library.post("demo-teacher", f"/items/{own}/edit", version="1", title="Staff edit", body="B")
    assert library.item_row(own).state == "published"
    # Publishing twice is refused.
    assert library.post("demo-learner-1", f"/items/{key}/publish").status == 403


def test_soft_delete_keeps_rows_audits_and_voids_statements(library: Library) -> None:
    key = library.create_item("demo-learner-1")
    library.post("demo-learner-1", f"/items/{key}/edit", version="1", title="Edited", body="x")
    library.post("demo-learner-1", f"/items/{key}/publish")
    assert library.post("demo-learner-2", f"/items/{key}/delete").status == 403
    done = library.post("demo-learner-1", f"/items/{key}/delete")
    assert done.status == 200
    assert 'id="deleted"' in done.text
    item = library.item_row(key)
    assert item.deleted_at is not None
    for person in ("demo-learner-1", "demo-learner-2", "demo-teacher"):
        assert library.get(person, f"/items/{key}").status == 404
    with library.world.services.engine.connect() as connection:
        audit = connection.execute(select(LibraryAudit)).one()
    assert (audit.action, audit.target_kind, audit.target_id) == ("deleted", "item", item.id)
    emitted = statements(library.world)
    voided = {s["object"]["id"] for s in emitted if s["verb"]["display"]["en-US"] == "voided"}
    authored_or_edited = {
        s["id"] for s in emitted if s["verb"]["display"]["en-US"] in {"authored", "edited"}
    }
    assert voided == authored_or_edited
    assert len(voided) == 2
    # Staff may delete anyone's item.
    other = library.create_item("demo-learner-2")
    assert library.post("demo-teacher", f"/items/{other}/delete").status == 200
    assert library.item_row(other).deleted_by is not None
