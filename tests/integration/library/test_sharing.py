"""Sharing library items between courses of one deployment, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from lti_tool.domain.errors import BadRequest, Forbidden, NotFound
from lti_tool.domain.library.moderation import StaffAction, TransitionRefused
from lti_tool.domain.library.permissions import CourseRelation
from lti_tool.learning_records.recorder import Recorder
from lti_tool.learning_records.records import TOPIC, Routes
from lti_tool.library import moderation, sharing
from lti_tool.library.access import open_target
from lti_tool.outbox import store as outbox
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.library_models import LibraryAudit, LibraryShare
from tests.factories import library as rows
from tests.factories.library import NOW


@dataclass
class World:
    engine: Engine
    recorder: Recorder
    home: int
    sibling: int  # same deployment, the teacher is staff there
    untaught: int  # same deployment, the teacher is only a learner there
    other_deployment: int  # the teacher is staff there, but another deployment
    teacher: int
    learner: int
    key: str
    item_id: int


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        platform = rows.platform(connection)
        first = rows.deployment(connection, platform, "d1")
        second = rows.deployment(connection, platform, "d2")
        home = rows.course(connection, first, "home", "Home course")
        sibling = rows.course(connection, first, "sibling", "Sibling course")
        untaught = rows.course(connection, first, "untaught", "Untaught course")
        elsewhere = rows.course(connection, second, "elsewhere", "Other deployment")
        teacher = rows.person(connection, platform, "teacher")
        learner = rows.person(connection, platform, "learner")
        for context in (home, sibling, elsewhere):
            rows.member(connection, teacher, context, "staff")
        rows.member(connection, teacher, untaught, "learner")
        rows.member(connection, learner, home)
        rows.member(connection, learner, sibling)
        item_id, key = rows.item(connection, context_id=home, author_id=learner)
    recorder = Recorder(routes=Routes(engine), base_url="https://tool", strict=True)
    yield World(
        engine, recorder, home, sibling, untaught, elsewhere, teacher, learner, key, item_id
    )
    engine.dispose()


def test_staff_share_within_their_deployment_only(world: World) -> None:
    with world.engine.begin() as connection:
        item, staff = open_target(
            connection,
            key=world.key,
            user_id=world.teacher,
            is_staff=True,
            context_id=world.home,
        )
        candidates = sharing.candidate_courses(connection, item=item, staff_id=world.teacher)
        assert [(c.context_id, c.title, c.shared) for c in candidates] == [
            (world.sibling, "Sibling course", False)
        ]
        for refused_course, error in [
            (world.untaught, NotFound),
            (world.other_deployment, NotFound),
            (world.home, BadRequest),
            (999_999, NotFound),
        ]:
            with pytest.raises(error):
                sharing.share(
                    connection,
                    viewer=staff,
                    item=item,
                    target_context_id=refused_course,
                    now=NOW,
                    recorder=world.recorder,
                )
        assert sharing.share(
            connection,
            viewer=staff,
            item=item,
            target_context_id=world.sibling,
            now=NOW,
            recorder=world.recorder,
        )
        assert not sharing.share(
            connection,
            viewer=staff,
            item=item,
            target_context_id=world.sibling,
            now=NOW,
            recorder=world.recorder,
        )
        assert connection.execute(select(LibraryShare.context_id)).scalars().all() == [
            world.sibling
        ]
        [statement] = [json.loads(p) for p in outbox.payloads(connection, topic=TOPIC)]
        assert statement["verb"]["display"]["en-US"] == "shared"
        other = statement["context"]["contextActivities"]["other"][0]
        assert other["id"] == f"https://tool/xapi/courses/{world.sibling}"
        assert connection.scalars(select(LibraryAudit.action)).all() == ["shared"]


def test_the_target_course_reads_but_never_moderates(world: World) -> None:
    with world.engine.begin() as connection:
        item, staff = open_target(
            connection,
            key=world.key,
            user_id=world.teacher,
            is_staff=True,
            context_id=world.home,
        )
        sharing.share(
            connection,
            viewer=staff,
            item=item,
            target_context_id=world.sibling,
            now=NOW,
            recorder=world.recorder,
        )
        there, viewer = open_target(
            connection,
            key=world.key,
            user_id=world.teacher,
            is_staff=True,
            context_id=world.sibling,
        )
        assert viewer.relation is CourseRelation.SHARED
        with pytest.raises(Forbidden):
            moderation.decide_item(
                connection,
                viewer=viewer,
                item=there,
                action=StaffAction.HIDE,
                note="",
                now=NOW,
            )
        with pytest.raises(Forbidden):
            sharing.share(
                connection,
                viewer=viewer,
                item=there,
                target_context_id=world.untaught,
                now=NOW,
                recorder=world.recorder,
            )
        with pytest.raises(Forbidden):
            sharing.unshare(
                connection, viewer=viewer, item=there, target_context_id=world.sibling, now=NOW
            )
        # Never shared to the untaught course: not found there.
        with pytest.raises(NotFound):
            open_target(
                connection,
                key=world.key,
                user_id=world.learner,
                is_staff=False,
                context_id=world.untaught,
            )
        # Hidden at home: gone from the course it was shared to, even for its staff.
        moderation.decide_item(
            connection, viewer=staff, item=item, action=StaffAction.HIDE, note="", now=NOW
        )
        for user, is_staff in [(world.learner, False), (world.teacher, True)]:
            with pytest.raises(NotFound):
                open_target(
                    connection,
                    key=world.key,
                    user_id=user,
                    is_staff=is_staff,
                    context_id=world.sibling,
                )
        hidden, staff = open_target(
            connection,
            key=world.key,
            user_id=world.teacher,
            is_staff=True,
            context_id=world.home,
        )
        with pytest.raises(TransitionRefused):
            sharing.share(
                connection,
                viewer=staff,
                item=hidden,
                target_context_id=world.sibling,
                now=NOW,
                recorder=world.recorder,
            )
        sharing.unshare(
            connection, viewer=staff, item=hidden, target_context_id=world.sibling, now=NOW
        )
        with pytest.raises(NotFound):
            sharing.unshare(
                connection, viewer=staff, item=hidden, target_context_id=world.sibling, now=NOW
            )
        assert connection.scalars(select(LibraryAudit.action)).all() == [
            "shared",
            "hidden",
            "unshared",
        ]
