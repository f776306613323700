"""Library moderation operations on SQLite and PostgreSQL: flags, decisions, the queue,
the course policy, audit rows, author notifications and xAPI statements."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Connection, Engine, select

from lti_tool.domain.errors import Forbidden, NotFound
from lti_tool.domain.library.moderation import (
    FlagAlreadyOpen,
    FlagReason,
    Policy,
    Reason,
    StaffAction,
    TransitionRefused,
)
from lti_tool.domain.library.permissions import ItemState
from lti_tool.learning_records.recorder import Recorder
from lti_tool.learning_records.records import TOPIC, Routes
from lti_tool.library import moderation
from lti_tool.library.access import open_comment, open_target
from lti_tool.library.moderation_queue import course_queue
from lti_tool.outbox import store as outbox
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.library_models import (
    LibraryAudit,
    LibraryComment,
    LibraryFlag,
    LibraryItem,
    LibraryNotification,
)
from tests.factories import library as rows
from tests.factories.library import NOW
from xapi.profile import Extension

SPAM = Reason(FlagReason.SPAM, "buy cheap watches")


@dataclass
class World:
    engine: Engine
    recorder: Recorder
    course: int
    other_course: int
    author: int
    learner: int
    learner2: int
    staff: int
    outsider: int


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        platform = rows.platform(connection)
        deployment = rows.deployment(connection, platform)
        course = rows.course(connection, deployment, "course-1", "Spreadsheets")
        other = rows.course(connection, deployment, "course-2", "Elsewhere")
        people = [
            rows.person(connection, platform, sub, name)
            for sub, name in [
                ("author", "Ada Author"),
                ("learner", "Lee Learner"),
                ("learner2", "Flo Flagger"),
                ("staff", "Sam Staff"),
                ("outsider", "Otto Outsider"),
            ]
        ]
        for who in people[:3]:
            rows.member(connection, who, course)
        rows.member(connection, people[3], course, "staff")
        rows.member(connection, people[4], other)
    recorder = Recorder(routes=Routes(engine), base_url="https://tool", strict=True)
    yield World(engine, recorder, course, other, *people)
    engine.dispose()


def opened(
    connection: Connection,
    world: World,
    key: str,
    user: int,
    *,
    staff: bool = False,
    course: int | None = None,
):
    return open_target(
        connection,
        key=key,
        user_id=user,
        is_staff=staff,
        context_id=world.course if course is None else course,
    )


def statements(connection: Connection) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(payload) for payload in outbox.payloads(connection, topic=TOPIC)]


def audit_rows(connection: Connection) -> list[tuple[str, str, int, int | None]]:
    return [
        (row.action, row.target_kind, row.target_id, row.actor_id)
        for row in connection.execute(select(LibraryAudit).order_by(LibraryAudit.id))
    ]


def test_flag_queue_hide_notify_audit(world: World) -> None:
    with world.engine.begin() as connection:
        item_id, key = rows.item(connection, context_id=world.course, author_id=world.author)
        for who, reason in [(world.learner, SPAM), (world.learner2, Reason(FlagReason.SPAM))]:
            item, viewer = opened(connection, world, key, who)
            moderation.flag(
                connection,
                viewer=viewer,
                item=item,
                comment=None,
                reason=reason,
                now=NOW,
                recorder=world.recorder,
            )
    with world.engine.begin() as connection:
        item, viewer = opened(connection, world, key, world.learner)
        with pytest.raises(FlagAlreadyOpen):
            moderation.flag(
                connection,
                viewer=viewer,
                item=item,
                comment=None,
                reason=SPAM,
                now=NOW,
                recorder=world.recorder,
            )
        item, viewer = opened(connection, world, key, world.author)
        with pytest.raises(Forbidden):
            moderation.flag(
                connection,
                viewer=viewer,
                item=item,
                comment=None,
                reason=SPAM,
                now=NOW,
                recorder=world.recorder,
            )
        queue = course_queue(connection, world.course)
        [flagged] = queue.flagged
        assert (flagged.flag_count, flagged.reasons) == (2, (("Spam or advertising", 2),))
        assert flagged.details == ("buy cheap watches",)
        assert flagged.author_name == "Ada Author"
        assert [a.value for a in flagged.actions] == ["hidden", "dismissed"]
        assert course_queue(connection, world.other_course).empty
        sent = statements(connection)
        assert [s["verb"]["display"]["en-US"] for s in sent] == ["flagged", "flagged"]
        library = f"https://tool/xapi/courses/{world.course}/library"
        assert sent[0]["object"]["id"] == f"{library}/items/{key}"
        assert sent[0]["result"]["extensions"][Extension.FLAG_REASON] == "spam: buy cheap watches"

    with world.engine.begin() as connection:
        item, viewer = opened(connection, world, key, world.learner)
        with pytest.raises(Forbidden):
            moderation.decide_item(
                connection,
                viewer=viewer,
                item=item,
                action=StaffAction.HIDE,
                note="",
                now=NOW,
            )
        item, staff = opened(connection, world, key, world.staff, staff=True)
        later = NOW + timedelta(hours=1)
        assert (
            moderation.decide_item(
                connection,
                viewer=staff,
                item=item,
                action=StaffAction.HIDE,
                note="Please keep it on topic.",
                now=later,
            )
            is ItemState.HIDDEN
        )

    with world.engine.begin() as connection:
        assert connection.scalar(select(LibraryItem.state)) == "hidden"
        flags = connection.execute(select(LibraryFlag.outcome, LibraryFlag.resolved_by)).all()
        assert flags == [("hidden", world.staff)] * 2
        [note] = connection.execute(select(LibraryNotification)).all()
        assert (note.user_id, note.kind, note.item_id) == (world.author, "moderation", item_id)
        assert "was hidden by staff" in note.message
        assert "Spam or advertising" in note.message
        assert "Please keep it on topic." in note.message
        for secret in ("Lee", "Flo", "Learner", "Flagger", "watches"):
            assert secret not in note.message
        assert (
            moderation.author_notice(connection, item_id=item_id, author_id=world.author)
            == note.message
        )
        assert audit_rows(connection) == [
            ("flagged", "item", item_id, world.learner),
            ("flagged", "item", item_id, world.learner2),
            ("hidden", "item", item_id, world.staff),
        ]
        assert course_queue(connection, world.course).empty


def test_hidden_items_are_seen_by_author_and_staff_only_until_restored(world: World) -> None:
    with world.engine.begin() as connection:
        item_id, key = rows.item(connection, context_id=world.course, author_id=world.author)
        item, staff = opened(connection, world, key, world.staff, staff=True)
        moderation.decide_item(
            connection, viewer=staff, item=item, action=StaffAction.HIDE, note="", now=NOW
        )
        # Hidden: learners get "not found"; the author and staff still see it.
        with pytest.raises(NotFound):
            opened(connection, world, key, world.learner)
        assert opened(connection, world, key, world.author)[0].state is ItemState.HIDDEN
        assert opened(connection, world, key, world.staff, staff=True)[0].state is ItemState.HIDDEN
        with pytest.raises(NotFound):
            opened(connection, world, key, world.outsider, course=world.other_course)
        item, staff = opened(connection, world, key, world.staff, staff=True)
        moderation.decide_item(
            connection, viewer=staff, item=item, action=StaffAction.RESTORE, note="", now=NOW
        )
        assert connection.scalar(select(LibraryItem.state)) == "published"
        assert audit_rows(connection)[-1] == ("restored", "item", item_id, world.staff)
        messages = connection.scalars(
            select(LibraryNotification.message).order_by(LibraryNotification.id)
        ).all()
        assert messages[-1].endswith("was restored by staff and is visible again.")


def test_a_stale_decision_is_refused(world: World) -> None:
    with world.engine.begin() as connection:
        _item_id, key = rows.item(connection, context_id=world.course, author_id=world.author)
        item, staff = opened(connection, world, key, world.staff, staff=True)
        moderation.decide_item(
            connection, viewer=staff, item=item, action=StaffAction.HIDE, note="", now=NOW
        )
        # A second staff member still looking at the published item decides too.
        with pytest.raises(TransitionRefused):
            moderation.decide_item(
                connection, viewer=staff, item=item, action=StaffAction.HIDE, note="", now=NOW
            )
        with pytest.raises(TransitionRefused):
            moderation.decide_item(
                connection,
                viewer=staff,
                item=item,
                action=StaffAction.APPROVE,
                note="",
                now=NOW,
            )


def test_approval_policy_and_pending_items(world: World) -> None:
    with world.engine.begin() as connection:
        staff = opened(
            connection,
            world,
            rows.item(connection, context_id=world.course, author_id=world.author)[1],
            world.staff,
            staff=True,
        )[1]
        assert moderation.policy_of(connection, world.course) is Policy.OPEN
        assert moderation.set_policy(
            connection, viewer=staff, context_id=world.course, policy=Policy.APPROVAL, now=NOW
        )
        assert not moderation.set_policy(
            connection, viewer=staff, context_id=world.course, policy=Policy.APPROVAL, now=NOW
        )
        assert moderation.policy_of(connection, world.course) is Policy.APPROVAL
        learner = opened(
            connection,
            world,
            rows.item(connection, context_id=world.course, author_id=world.author)[1],
            world.learner,
        )[1]
        with pytest.raises(Forbidden):
            moderation.set_policy(
                connection, viewer=learner, context_id=world.course, policy=Policy.OPEN, now=NOW
            )
        item_id, key = rows.item(
            connection,
            context_id=world.course,
            author_id=world.author,
            state="pending",
            title="Waiting",
        )
        with pytest.raises(NotFound):
            opened(connection, world, key, world.learner)
        [pending] = course_queue(connection, world.course).pending
        assert (pending.key, pending.title, pending.author_name) == (key, "Waiting", "Ada Author")
        item, staff = opened(connection, world, key, world.staff, staff=True)
        moderation.decide_item(
            connection, viewer=staff, item=item, action=StaffAction.APPROVE, note="", now=NOW
        )
        assert (
            connection.scalar(select(LibraryItem.state).where(LibraryItem.id == item_id))
            == "published"
        )
        assert opened(connection, world, key, world.learner)[0].state is ItemState.PUBLISHED
        assert moderation.author_notice(connection, item_id=item_id, author_id=world.author) == (
            "Your item “Waiting” was approved by staff and is now published."
        )
        actions = [row[0] for row in audit_rows(connection)]
        assert actions == ["policy", "approved"]


def test_comments_are_flagged_hidden_and_restored(world: World) -> None:
    with world.engine.begin() as connection:
        item_id, key = rows.item(connection, context_id=world.course, author_id=world.author)
        comment_id = rows.comment(connection, item_id=item_id, author_id=world.learner2)
        comment, item, viewer = open_comment(
            connection,
            comment_id=comment_id,
            user_id=world.learner,
            is_staff=False,
            context_id=world.course,
        )
        moderation.flag(
            connection,
            viewer=viewer,
            item=item,
            comment=comment,
            reason=Reason(FlagReason.HARASSMENT),
            now=NOW,
            recorder=world.recorder,
        )
        [flagged] = course_queue(connection, world.course).flagged
        assert (flagged.kind.value, flagged.target_id) == ("comment", comment_id)
        assert "Helpful, thanks" in (flagged.comment_html or "")
        comment, item, staff = open_comment(
            connection,
            comment_id=comment_id,
            user_id=world.staff,
            is_staff=True,
            context_id=world.course,
        )
        moderation.decide_comment(
            connection,
            viewer=staff,
            item=item,
            comment=comment,
            action=StaffAction.HIDE,
            note="",
            now=NOW,
        )
        assert connection.scalar(select(LibraryComment.hidden_at)) is not None
        assert connection.scalar(select(LibraryItem.comment_count)) == 1  # not deleted
        with pytest.raises(NotFound):
            open_comment(
                connection,
                comment_id=comment_id,
                user_id=world.learner,
                is_staff=False,
                context_id=world.course,
            )
        own, _item, _viewer = open_comment(
            connection,
            comment_id=comment_id,
            user_id=world.learner2,
            is_staff=False,
            context_id=world.course,
        )
        assert own.state.value == "hidden"
        note = connection.execute(select(LibraryNotification)).one()
        assert (note.user_id, note.comment_id) == (world.learner2, comment_id)
        assert note.message.startswith("Your comment on “Pivot tables in five minutes” was hidden")
        assert "Harassment or bullying" in note.message
        comment, item, staff = open_comment(
            connection,
            comment_id=comment_id,
            user_id=world.staff,
            is_staff=True,
            context_id=world.course,
        )
        moderation.decide_comment(
            connection,
            viewer=staff,
            item=item,
            comment=comment,
            action=StaffAction.RESTORE,
            note="",
            now=NOW,
        )
        assert connection.scalar(select(LibraryComment.hidden_at)) is None
        assert connection.scalar(select(LibraryItem.comment_count)) == 1
        verbs = [s["verb"]["display"]["en-US"] for s in statements(connection)]
        assert verbs == ["flagged"]
        [sent] = statements(connection)
        item_iri = f"https://tool/xapi/courses/{world.course}/library/items/{key}"
        assert sent["object"]["id"] == f"{item_iri}/comments/{comment_id}"
        parents = [found["id"] for found in sent["context"]["contextActivities"]["parent"]]
        assert parents == [item_iri, f"https://tool/xapi/courses/{world.course}/library"]


def test_dismissing_tells_nobody_and_closes_flags(world: World) -> None:
    with world.engine.begin() as connection:
        _item_id, key = rows.item(connection, context_id=world.course, author_id=world.author)
        item, viewer = opened(connection, world, key, world.learner)
        moderation.flag(
            connection,
            viewer=viewer,
            item=item,
            comment=None,
            reason=SPAM,
            now=NOW,
            recorder=world.recorder,
        )
        item, staff = opened(connection, world, key, world.staff, staff=True)
        moderation.decide_item(
            connection, viewer=staff, item=item, action=StaffAction.DISMISS, note="", now=NOW
        )
        assert connection.scalar(select(LibraryFlag.outcome)) == "dismissed"
        assert connection.scalar(select(LibraryItem.state)) == "published"
        assert connection.execute(select(LibraryNotification)).first() is None
        assert audit_rows(connection)[-1][0] == "dismissed"
        # Once resolved, the same learner may flag again.
        item, viewer = opened(connection, world, key, world.learner)
        moderation.flag(
            connection,
            viewer=viewer,
            item=item,
            comment=None,
            reason=SPAM,
            now=NOW,
            recorder=world.recorder,
        )


@pytest.mark.postgres
def test_two_flags_at_once_by_one_person_make_one(world: World) -> None:
    if world.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers itself")
    with world.engine.begin() as connection:
        _item_id, key = rows.item(connection, context_id=world.course, author_id=world.author)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def flag_once() -> None:
        with world.engine.connect() as connection, connection.begin():
            item, viewer = opened(connection, world, key, world.learner)
            barrier.wait()
            try:
                moderation.flag(
                    connection,
                    viewer=viewer,
                    item=item,
                    comment=None,
                    reason=SPAM,
                    now=NOW,
                    recorder=world.recorder,
                )
                outcomes.append("flagged")
            except FlagAlreadyOpen:
                outcomes.append("refused")

    threads = [threading.Thread(target=flag_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["flagged", "refused"]
    with world.engine.connect() as connection:
        assert len(connection.execute(select(LibraryFlag.id)).all()) == 1
