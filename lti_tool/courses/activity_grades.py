"""Publish a learner's grade for an activity to the LMS gradebook, through the outbox.

Only members of the activity's course can be graded: a score for anyone else (another
course's learner, someone the roster lists as deleted) is refused before it is queued.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, select

from lti_tool.courses.grade_passback import record_score
from lti_tool.domain.errors import Forbidden, NotFound, PeerlearnError
from lti_tool.domain.grading import Grade
from lti_tool.persistence.models import Activity, Context, Deployment, Membership, User


class NoGradebookColumn(PeerlearnError):
    code = "no_gradebook_column"
    status = 409
    title = "This activity has no gradebook column yet"
    advice = (
        "Grades can be sent once the LMS has made a column for the activity: place it "
        "again as a graded activity, or open it once from the course."
    )


def publish_grade(
    connection: Connection,
    *,
    activity_id: int,
    user_id: int,
    grade: Grade,
    at: datetime,
    line_item_url: str | None = None,
) -> None:
    """Queue ``grade`` for ``user_id`` in the caller's transaction, for the activity's
    gradebook column or another one of the activity (``line_item_url``)."""
    activity = connection.execute(
        select(Activity.line_item_url, Activity.context_id, Deployment.platform_id)
        .join(Context, Context.id == Activity.context_id)
        .join(Deployment, Deployment.id == Context.deployment_id)
        .where(Activity.id == activity_id)
    ).one_or_none()
    if activity is None:
        raise NotFound("There is no such activity.", code="activity_not_found")
    learner = connection.execute(
        select(User.sub, Membership.status)
        .join(
            Membership,
            and_(Membership.user_id == User.id, Membership.context_id == activity.context_id),
        )
        .where(User.id == user_id, User.platform_id == activity.platform_id)
    ).one_or_none()
    if learner is None or learner.status == "Deleted":
        raise Forbidden(
            "That person is not a member of this activity's course.", code="not_a_member"
        )
    column = line_item_url or activity.line_item_url
    if not column:
        raise NoGradebookColumn("The LMS has not named a gradebook column for this activity.")
    record_score(
        connection,
        platform_id=activity.platform_id,
        lineitem_url=column,
        score=grade.score(user_sub=learner.sub, at=at),
    )
