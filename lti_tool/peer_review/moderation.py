"""Staff decisions on reviews an author flagged (unhelpful, rude, wrong).

An open flag keeps the review out of the author's grade, which waits for staff
(``PendingManual``). Staff either *uphold* it: the review is hidden (``hidden_at``,
``hidden_by``) and never counts again; or *dismiss* it: ``flagged_at`` is cleared, so the
review counts as before, and ``flag_reason`` stays on the assessment as the record that it
was flagged. Both decisions write an ``activity_change`` row ``{"moderation": ...}``, which
is what tells a dismissed flag from a review never flagged; no column was added for it.
After release the cohort's grades are recomputed and only the learners whose gradebook
values changed are sent again: usually the author and the reviewer, but with
accuracy-weighted grading one review more or less moves the consensus, hence others.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.errors import NotFound, PeerlearnError
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import grading
from lti_tool.peer_review.audit import record_change
from lti_tool.persistence.peer_review_models import Allocation, Assessment, Submission


class Decision(enum.StrEnum):
    UPHOLD = "uphold"
    DISMISS = "dismiss"


class FlagNotOpen(PeerlearnError):
    code = "flag_not_open"
    status = 409
    title = "This flag was decided already"
    advice = "Reload the dashboard to see the flags still open."


@dataclass(frozen=True)
class FlaggedReview:
    """An open flag with what staff need to decide it (names are looked up by the page)."""

    assessment_id: int
    submission_id: int
    author_id: int
    reviewer_id: int
    reason: str
    flagged_at: datetime
    scores: Mapping[str, Any]
    comments: Mapping[str, str]
    overall: str | None


def _flag_rows(connection: Connection, activity_id: int, *, assessment_id: int | None) -> Any:
    query = (
        select(
            Assessment.id,
            Assessment.flag_reason,
            Assessment.flagged_at,
            Assessment.hidden_at,
            Assessment.scores,
            Assessment.comments,
            Assessment.overall_comment,
            Allocation.submission_id,
            Allocation.reviewer_id,
            Submission.author_id,
        )
        .join(Allocation, Allocation.id == Assessment.allocation_id)
        .join(Submission, Submission.id == Allocation.submission_id)
        .where(Allocation.activity_id == activity_id, Assessment.submitted_at.is_not(None))
        .order_by(Assessment.flagged_at, Assessment.id)
    )
    if assessment_id is None:
        query = query.where(Assessment.flagged_at.is_not(None), Assessment.hidden_at.is_(None))
    else:
        query = query.where(Assessment.id == assessment_id)
    return connection.execute(query).all()


def _flagged(row: Any) -> FlaggedReview:
    return FlaggedReview(
        assessment_id=row.id,
        submission_id=row.submission_id,
        author_id=row.author_id,
        reviewer_id=row.reviewer_id,
        reason=row.flag_reason or "",
        flagged_at=row.flagged_at,
        scores=row.scores or {},
        comments=row.comments or {},
        overall=row.overall_comment,
    )


def open_flags(connection: Connection, activity_id: int) -> list[FlaggedReview]:
    """The flags awaiting a decision, oldest first."""
    return [_flagged(row) for row in _flag_rows(connection, activity_id, assessment_id=None)]


def decide_flag(
    connection: Connection,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    assessment_id: int,
    decision: Decision,
    staff_id: int,
    now: datetime,
    recorder: Recorder | None = None,
) -> FlaggedReview:
    """Uphold or dismiss an open flag, record the decision and, after release, send the
    grades it changes; FlagNotOpen if it was decided already (by someone else, perhaps)."""
    rows = _flag_rows(connection, activity.id, assessment_id=assessment_id)
    if not rows:
        raise NotFound("There is no such review in this activity.", code="review_not_found")
    row = rows[0]
    if row.flagged_at is None or row.hidden_at is not None:
        raise FlagNotOpen("This review has no open flag.")
    still_open = (
        Assessment.id == assessment_id,
        Assessment.flagged_at.is_not(None),
        Assessment.hidden_at.is_(None),
    )
    if decision is Decision.UPHOLD:
        change = update(Assessment).where(*still_open).values(hidden_at=now, hidden_by=staff_id)
    else:
        change = update(Assessment).where(*still_open).values(flagged_at=None)
    # The guarded update settles a race between two staff deciding the same flag.
    if connection.execute(change).rowcount != 1:
        raise FlagNotOpen("This review has no open flag.")
    flagged = _flagged(row)
    record_change(
        connection,
        activity_id=activity.id,
        changed_by=staff_id,
        at=now,
        changes={
            "moderation": {
                "assessment": assessment_id,
                "decision": "upheld" if decision is Decision.UPHOLD else "dismissed",
                "flag_reason": flagged.reason,
                "flagged_at": flagged.flagged_at.isoformat(),
            }
        },
    )
    grading.republish(
        connection,
        activity=activity,
        settings=settings,
        learner_ids=(),  # only those whose gradebook values changed
        now=now,
        recorder=recorder,
    )
    return flagged
