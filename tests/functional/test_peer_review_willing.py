"""Near the deadline, short work also goes to learners who did their own reviews and
were here in the last day, after explicit volunteers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from lti_tool.peer_review.reassign import reassign_due
from lti_tool.persistence.models import Membership, User
from lti_tool.persistence.peer_review_models import Allocation
from tests.functional.conftest import LtiWorld
from tests.functional.test_peer_review import Course, review_links
from tests.functional.test_peer_review_queue import SCORES, take

LEARNERS = ("demo-learner-1", "demo-learner-2", "demo-learner-3", "demo-learner-4")


def reassigned_to(course: Course) -> list[str]:
    with course.world.services.sessions() as session:
        return list(
            session.scalars(
                select(User.sub)
                .join(Allocation, Allocation.reviewer_id == User.id)
                .where(Allocation.source == "reassigned")
                .order_by(Allocation.id)
            )
        )


def last_launched(course: Course, sub: str, hours_ago: float) -> None:
    with course.world.services.engine.begin() as connection:
        user = connection.scalars(select(User.id).where(User.sub == sub)).one()
        connection.execute(
            update(Membership)
            .where(Membership.user_id == user)
            .values(last_launch_at=datetime.now(UTC) - timedelta(hours=hours_ago))
        )


def test_recent_finishers_are_asked_after_volunteers(world: LtiWorld) -> None:
    deadline = datetime.now(UTC) + timedelta(hours=12)  # inside the warning window
    course = Course(
        world,
        allocation="queue",
        submissions_due=(deadline - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        reviews_due=deadline.strftime("%Y-%m-%dT%H:%M"),
    )
    for learner in LEARNERS:
        course.open(learner)
        course.post(learner, "/submission", text=f"Work by {learner}")
    volunteer, finisher = "demo-learner-1", "demo-learner-2"
    for learner in (volunteer, finisher):  # each does their two reviews
        for _ in range(2):
            allocation = take(course, learner)
            assert allocation is not None
            course.post(learner, f"/reviews/{allocation}", action="submit", **SCORES)
    assert "Thank you" in course.post(volunteer, "/volunteer", offer="1").text
    course.open("demo-teacher")  # staff are never asked, however recent

    # The finisher last came 30 hours ago: only the volunteer is asked, for the one
    # classmate's work they have not reviewed.
    last_launched(course, finisher, hours_ago=30)
    engine = world.services.engine
    assert reassign_due(engine, now=datetime.now(UTC)) == 1
    assert reassigned_to(course) == [volunteer]

    # Back within the day: the finisher takes the one they have not reviewed either.
    last_launched(course, finisher, hours_ago=2)
    assert reassign_due(engine, now=datetime.now(UTC)) == 1
    assert reassigned_to(course) == [volunteer, finisher]
    assert len(review_links(course.get(finisher).text)) == 3
    # Learners who did none of their reviews are never asked, however recent.
    assert reassign_due(engine, now=datetime.now(UTC)) == 0
