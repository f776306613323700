"""Names learners may see of each other, by the activity's anonymity mode.

The rule lives in :mod:`lti_tool.domain.peer_review.anonymity`; this module only fetches
the names it allows, so a page that is not allowed a name never has it to leak.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, select

from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.domain.peer_review.anonymity import author_sees_reviewers, reviewer_sees_author
from lti_tool.domain.peer_review.settings import Anonymity
from lti_tool.persistence.models import User
from lti_tool.persistence.peer_review_models import Allocation, Assessment, Submission

_NAME_COLUMNS = (User.sub, User.name, User.given_name, User.family_name, User.display_name)


def _name(row: tuple[str, str | None, str | None, str | None, str | None]) -> str:
    sub, name, given, family, chosen = row
    return display_name(PersonClaims(sub, name, given, family), chosen)


def author_names(
    connection: Connection, anonymity: Anonymity, submission_ids: Collection[int]
) -> dict[int, str]:
    """Authors' names by submission, for their reviewer; empty when the mode hides them."""
    if not submission_ids or not reviewer_sees_author(anonymity):
        return {}
    rows = connection.execute(
        select(Submission.id, *_NAME_COLUMNS)
        .join(User, User.id == Submission.author_id)
        .where(Submission.id.in_(list(submission_ids)))
    )
    return {row[0]: _name(row[1:]) for row in rows}


def reviewer_names(
    connection: Connection, anonymity: Anonymity, assessment_ids: Collection[int]
) -> dict[int, str]:
    """Reviewers' names by assessment, for the author; empty when the mode hides them."""
    if not assessment_ids or not author_sees_reviewers(anonymity):
        return {}
    rows = connection.execute(
        select(Assessment.id, *_NAME_COLUMNS)
        .join(Allocation, Allocation.id == Assessment.allocation_id)
        .join(User, User.id == Allocation.reviewer_id)
        .where(Assessment.id.in_(list(assessment_ids)))
    )
    return {row[0]: _name(row[1:]) for row in rows}
