"""Groups of a peer review activity, set by staff (or read from the LMS: see
``lti_tool.peer_review.lms_groups``), for its group policy.

A submission carries its author's group (copied when submitted and whenever staff change
groups), which is what allocation and the queue read.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, delete, insert, select, update

from lti_tool.domain.errors import BadRequest
from lti_tool.persistence.models import Membership
from lti_tool.persistence.peer_review_models import ReviewGroup, Submission

GROUP_LIMIT = 255


def groups_of(connection: Connection, activity_id: int) -> dict[int, str]:
    return dict(
        connection.execute(
            select(ReviewGroup.user_id, ReviewGroup.group_key).where(
                ReviewGroup.activity_id == activity_id
            )
        ).all()
    )


def set_groups(
    connection: Connection,
    *,
    activity_id: int,
    context_id: int,
    chosen: Mapping[int, str],
) -> None:
    """Replace the activity's groups: ``chosen`` maps learners to a group name (blank:
    no group). Only members of the course can be placed in a group."""
    members = set(
        connection.scalars(select(Membership.user_id).where(Membership.context_id == context_id))
    )
    strangers = sorted(set(chosen) - members)
    if strangers:
        raise BadRequest("Only members of this course can be put in groups.", code="not_members")
    cleaned = {user: " ".join(name.split()) for user, name in chosen.items()}
    if any(len(name) > GROUP_LIMIT for name in cleaned.values()):
        raise BadRequest(f"A group name can have at most {GROUP_LIMIT} characters.")
    # Rows read from the LMS stay (lti_tool.peer_review.lms_groups refreshes them) unless
    # staff name a group for that learner: a staff row wins.
    named = [user for user, name in cleaned.items() if name]
    connection.execute(
        delete(ReviewGroup).where(
            ReviewGroup.activity_id == activity_id,
            (ReviewGroup.source == "staff") | ReviewGroup.user_id.in_(named),
        )
    )
    rows = [
        {"activity_id": activity_id, "user_id": user, "group_key": name}
        for user, name in sorted(cleaned.items())
        if name
    ]
    if rows:
        connection.execute(insert(ReviewGroup), rows)
    for user, name in cleaned.items():
        connection.execute(
            update(Submission)
            .where(Submission.activity_id == activity_id, Submission.author_id == user)
            .values(group_key=name or None)
        )
