"""Continuous queue mode: work handed out as reviewers ask, under leases that run out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from lti_tool.persistence.peer_review_models import Allocation
from tests.functional.conftest import LtiWorld
from tests.functional.test_peer_review import Course, review_links

SCORES = {"score-argument": "4", "comment-argument": "Good.", "score-clarity": "2"}


@pytest.fixture
def course(world: LtiWorld) -> Course:
    reviews_due = (datetime.now(UTC) + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    return Course(world, allocation="queue", reviews_due=reviews_due)


def take(course: Course, person: str) -> int | None:
    page = course.post(person, "/next")
    assert page.status == 200, page.text
    found = re.search(r"/reviews/(\d+)\?", page.url)
    return int(found.group(1)) if found else None


def test_reviewers_take_work_one_at_a_time_and_late_work_joins(course: Course) -> None:
    for learner in ("demo-learner-1", "demo-learner-2"):
        course.open(learner)
    assert "Submit your work first" in course.get("demo-learner-1").text
    assert course.post("demo-learner-1", "/next").status == 409  # must submit first
    for learner in ("demo-learner-1", "demo-learner-2"):
        course.post(learner, "/submission", text=f"Work by {learner}")

    first = take(course, "demo-learner-1")
    assert first is not None
    assert "Work by demo-learner-2" in course.get("demo-learner-1", f"/reviews/{first}").text
    assert course.post("demo-learner-1", "/next").status == 409  # one at a time
    course.post("demo-learner-1", f"/reviews/{first}", action="submit", **SCORES)
    assert take(course, "demo-learner-1") is None  # nothing else eligible
    assert "Nothing to review right now" in course.get("demo-learner-1", "?empty=1").text

    course.open("demo-learner-3")  # a late joiner is reviewed too
    course.post("demo-learner-3", "/submission", text="Work by demo-learner-3")
    second = take(course, "demo-learner-1")
    assert second is not None
    assert "Work by demo-learner-3" in course.get("demo-learner-1", f"/reviews/{second}").text
    assert review_links(course.get("demo-learner-1").text) == [first, second]


def test_a_lease_that_runs_out_frees_the_work(course: Course) -> None:
    for learner in ("demo-learner-1", "demo-learner-2", "demo-learner-3"):
        course.open(learner)
        course.post(learner, "/submission", text=f"Work by {learner}")
    held = take(course, "demo-learner-2")
    assert held is not None
    with course.world.services.engine.begin() as connection:
        connection.execute(
            update(Allocation)
            .where(Allocation.id == held)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    # The least-reviewed submission goes to the next reviewer who asks, then the one the
    # abandoned lease held is free again.
    taken = {take(course, "demo-learner-1"), take(course, "demo-learner-3")}
    assert None not in taken
    late = course.post("demo-learner-2", f"/reviews/{held}", action="submit", **SCORES)
    assert late.status == 409
    assert "<code>lease_expired</code>" in late.text
    assert "time ran out" in course.get("demo-learner-2").text
    assert take(course, "demo-learner-2") is not None  # and they may take new work


def test_balanced_activities_hand_out_nothing_on_request(world: LtiWorld) -> None:
    course = Course(world)
    course.open("demo-learner-1")
    course.post("demo-learner-1", "/submission", text="mine")
    refused = course.post("demo-learner-1", "/next")
    assert refused.status == 409
    assert "<code>balanced</code>" in refused.text


def test_the_dashboard_lists_every_submission_at_risk(course: Course) -> None:
    learners = ("demo-learner-1", "demo-learner-2", "demo-learner-3")
    for learner in learners:
        course.open(learner)
        course.post(learner, "/submission", text=f"Work by {learner}")
    course.open("demo-teacher")
    at_risk = course.get("demo-teacher").text.count("<strong>at risk</strong>")
    assert at_risk == 3  # nobody is reviewing anything yet
    for learner in learners:  # each takes and finishes one, then takes a second
        allocation = take(course, learner)
        course.post(learner, f"/reviews/{allocation}", action="submit", **SCORES)
        assert take(course, learner) is not None
    # Two reviews each: one done, one under a live lease: none at risk any more.
    assert course.get("demo-teacher").text.count("<strong>at risk</strong>") == 0


def test_near_the_deadline_short_work_goes_to_volunteers(world: LtiWorld) -> None:
    from lti_tool.peer_review.reassign import reassign_due  # noqa: PLC0415

    deadline = datetime.now(UTC) + timedelta(hours=12)  # inside the warning window
    course = Course(
        world,
        allocation="queue",
        submissions_due=(deadline - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        reviews_due=deadline.strftime("%Y-%m-%dT%H:%M"),
    )
    learners = ("demo-learner-1", "demo-learner-2", "demo-learner-3", "demo-learner-4")
    for learner in learners:
        course.open(learner)
        course.post(learner, "/submission", text=f"Work by {learner}")
    helper = "demo-learner-1"
    refused = course.post(helper, "/volunteer", offer="1")
    assert refused.status == 403  # own reviews first
    for _ in range(2):
        allocation = take(course, helper)
        course.post(helper, f"/reviews/{allocation}", action="submit", **SCORES)
    assert "Offer to review more" in course.get(helper).text
    offered = course.post(helper, "/volunteer", offer="1")
    assert "Thank you" in offered.text

    engine = world.services.engine
    handed = reassign_due(engine, now=datetime.now(UTC))
    assert handed == 1  # the one classmate's work the helper has not reviewed yet
    tasks = review_links(course.get(helper).text)
    assert len(tasks) == 3
    newest = course.get(helper, f"/reviews/{tasks[-1]}").text
    assert "Work by demo-learner-4" in newest
    assert reassign_due(engine, now=datetime.now(UTC)) == 0  # covered already
    course.open("demo-teacher")
    assert course.get("demo-teacher").text.count("<strong>at risk</strong>") == 4
