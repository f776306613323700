"""Grades of a placed activity: staff send them, the outbox delivers, the LMS shows them."""

from __future__ import annotations

import time
from typing import Any

import requests
from sqlalchemy import select

from lti_tool.persistence.models import Activity, User
from tests.functional.conftest import LtiWorld
from tests.functional.test_deep_linking import ESSAY, picker, placed
from tests.functional.test_grades import states, worker

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def graded_activity(world: LtiWorld) -> tuple[Any, int]:
    world.services.kinds.register(ESSAY)
    browser, _page, token = picker(world)
    link = placed(world, browser, token)
    with world.services.sessions() as session:
        activity_id = session.scalars(select(Activity.id)).one()
    return link, activity_id


def user_id(world: LtiWorld, sub: str) -> int:
    with world.services.sessions() as session:
        return int(session.scalars(select(User.id).where(User.sub == sub)).one())


def send(world: LtiWorld, token: str, activity_id: int, **body: Any) -> requests.Response:
    return requests.post(
        f"{world.tool_url}/api/activities/{activity_id}/grades",
        json=body,
        headers={"X-Peerlearn-Session": token},
        timeout=10,
    )


def test_a_grade_reaches_the_gradebook_with_its_progress(world: LtiWorld) -> None:
    link, activity_id = graded_activity(world)
    world.launch("demo-learner-1", link_id=link.id)  # the learner opens it: line item known
    _browser, page = world.launch("demo-teacher", link_id=link.id)
    token = page.meta("peerlearn-session")
    learner = user_id(world, "demo-learner-1")

    pending = send(
        world,
        token,
        activity_id,
        user_id=learner,
        activity_progress="Submitted",
        grading_progress="Pending",
    )
    assert pending.status_code == 202, pending.text
    graded = send(
        world,
        token,
        activity_id,
        user_id=learner,
        score_given=7.5,
        activity_progress="Completed",
        grading_progress="FullyGraded",
        comment="Clear and well argued.",
    )
    assert graded.status_code == 202

    # The LMS's gradebook is down: nothing is lost, nothing goes out of order.
    world.lms.platform.gradebook_online = False
    grades = worker(world)
    assert grades.run_once() == 0
    assert states(world) == ["pending", "pending"]
    world.lms.platform.gradebook_online = True
    grades.clock = lambda: time.time() + 3600  # past the backoff
    assert grades.run_once() == 2
    assert states(world) == ["delivered", "delivered"]
    [(item_id, scores)] = [
        (item_id, scores)
        for item_id, scores in world.lms.platform.gradebook.scores.items()
        if scores
    ]
    assert world.lms.platform.gradebook.url(item_id) == world.lms.platform.gradebook.url(
        link.line_item_id
    )
    latest = scores["demo-learner-1"]
    assert latest["scoreGiven"] == 7.5
    assert latest["scoreMaximum"] == 10
    assert latest["gradingProgress"] == "FullyGraded"
    assert latest["activityProgress"] == "Completed"
    assert latest["comment"] == "Clear and well argued."


def test_grades_are_refused_for_anyone_outside_the_course(world: LtiWorld) -> None:
    link, activity_id = graded_activity(world)
    world.launch("demo-learner-1", link_id=link.id)

    def elsewhere(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {"id": "another-course", "title": "Elsewhere"}
        claims[CLAIM + "resource_link"] = {"id": "elsewhere-link"}

    assert world.tampered_launch("demo-learner-2", elsewhere).status == 200
    _browser, page = world.launch("demo-teacher", link_id=link.id)
    token = page.meta("peerlearn-session")
    body = {"activity_progress": "Completed", "grading_progress": "FullyGraded", "score_given": 1}

    outsider = send(world, token, activity_id, user_id=user_id(world, "demo-learner-2"), **body)
    assert outsider.status_code == 403
    assert outsider.headers["Content-Type"] == "application/problem+json"
    assert outsider.json()["code"] == "not_a_member"
    assert send(world, token, activity_id, user_id=999999, **body).status_code == 403

    # Learners cannot send grades, not even their own.
    _browser, learner_page = world.launch("demo-learner-1", link_id=link.id)
    learner_token = learner_page.meta("peerlearn-session")
    own = send(world, learner_token, activity_id, user_id=user_id(world, "demo-learner-1"), **body)
    assert own.status_code == 403

    # Bad input is a problem document, never a queued score.
    member = user_id(world, "demo-learner-1")
    for wrong in (
        {**body, "user_id": member, "score_given": -1},
        {**body, "user_id": member, "grading_progress": "Done"},
        {"user_id": member, "activity_progress": "Completed", "grading_progress": "FullyGraded"},
        {**body, "user_id": "1"},
    ):
        refused = send(world, token, activity_id, **wrong)
        assert refused.status_code == 400, wrong
        assert refused.json()["code"] == "invalid_grade"
    assert send(world, token, activity_id + 1, user_id=member, **body).status_code == 404
    assert states(world) == []
