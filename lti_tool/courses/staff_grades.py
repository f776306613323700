"""Staff send a learner's grade for an activity to the LMS gradebook (through the
outbox): one operation, refused for an activity of another course."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from lti_tool.courses.grade_passback import publish_grade
from lti_tool.domain.errors import NotFound
from lti_tool.domain.grading import Grade
from lti_tool.persistence.models import Activity


def gradebook_points(engine: Engine, *, activity_id: int, context_id: int | None) -> float:
    """The activity's points in the gradebook (0 without), or 404 outside the course."""
    with engine.connect() as connection:
        found = connection.execute(
            select(Activity.context_id, Activity.score_maximum).where(Activity.id == activity_id)
        ).one_or_none()
    if found is None or found.context_id != context_id:
        # Another course's activity is as good as absent to this session.
        raise NotFound("There is no such activity in this course.", code="activity_not_found")
    return found.score_maximum or 0


def send_grade(
    engine: Engine, *, activity_id: int, user_id: int, grade: Grade, at: datetime
) -> None:
    """Queue the learner's score for the LMS (sent when the LMS is reachable)."""
    with engine.begin() as connection:
        publish_grade(connection, activity_id=activity_id, user_id=user_id, grade=grade, at=at)
