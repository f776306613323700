"""Reviewing: a reviewer's assignments, rubric assessments (drafts, then final), and the
author's side: the reviews received, rated for helpfulness or flagged.

Learners see each other only through labels ("Submission B", "Review 2"): nothing
returned here to a learner carries another learner's id.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lti_tool.domain.errors import BadRequest, Forbidden, NotFound, PeerlearnError
from lti_tool.domain.peer_review.rubric import Rubric, assessment_score, check_assessment
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review.activity_statements import FLAGGED, RATED, REVIEWED, record_about_activity
from lti_tool.persistence.db import lock_rows
from lti_tool.persistence.peer_review_models import Allocation, Assessment, Submission

OVERALL_LIMIT = 8000


class AssessmentInvalid(BadRequest):
    code = "assessment_invalid"
    title = "This review is not complete yet"
    advice = "Complete the marked criteria, or save a draft and come back."

    def __init__(self, problems: Mapping[str | None, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


class ReviewClosed(PeerlearnError):
    code = "review_closed"
    status = 409
    title = "This review can no longer be changed"
    advice = "Submitted reviews are final. Ask your teacher if something is wrong."


@dataclass(frozen=True)
class Assignment:
    """One piece of work to review, as its reviewer sees it."""

    allocation_id: int
    label: str
    submission_id: int
    kind: str
    state: str
    draft: Mapping[str, Any] | None
    submitted_at: datetime | None


def label_for(position: int) -> str:
    letters = string.ascii_uppercase
    return "Submission " + (letters[position] if position < len(letters) else f"{position + 1}")


def assignments(connection: Connection, *, activity_id: int, reviewer_id: int) -> list[Assignment]:
    rows = connection.execute(
        select(
            Allocation.id,
            Allocation.submission_id,
            Allocation.kind,
            Allocation.state,
            Assessment.scores,
            Assessment.comments,
            Assessment.overall_comment,
            Assessment.submitted_at,
        )
        .outerjoin(Assessment, Assessment.allocation_id == Allocation.id)
        .where(
            Allocation.activity_id == activity_id,
            Allocation.reviewer_id == reviewer_id,
            Allocation.state != "removed",
        )
        .order_by(Allocation.kind.desc(), Allocation.assigned_at, Allocation.id)
    ).all()
    found = []
    for position, row in enumerate(rows):
        draft = (
            {
                "scores": row.scores or {},
                "comments": row.comments or {},
                "overall": row.overall_comment,
            }
            if row.scores is not None
            else None
        )
        found.append(
            Assignment(
                allocation_id=row.id,
                label="Your own work" if row.kind == "self" else label_for(position),
                submission_id=row.submission_id,
                kind=row.kind,
                state=row.state,
                draft=draft,
                submitted_at=row.submitted_at,
            )
        )
    return found


def assignment(
    connection: Connection, *, activity_id: int, reviewer_id: int, allocation_id: int
) -> Assignment:
    """The reviewer's own assignment, or a 404 (someone else's is as good as absent)."""
    for found in assignments(connection, activity_id=activity_id, reviewer_id=reviewer_id):
        if found.allocation_id == allocation_id:
            return found
    raise NotFound("You have no such review to do.", code="review_not_found")


def save_assessment(
    connection: Connection,
    *,
    activity_id: int,
    reviewer_id: int,
    allocation_id: int,
    rubric: Rubric,
    chosen: Mapping[str, float],
    comments: Mapping[str, str],
    overall: str | None,
    final: bool,
    now: datetime,
    reviews_open: bool,
    recorder: Recorder | None = None,
) -> Assignment:
    """Save a draft, or submit the review for good (then it counts and is locked). The
    same review submitted again (a double click, a resent form) changes nothing and is
    answered like the first."""
    # The same review sent twice at once is saved one after the other.
    lock_rows(connection, Allocation, Allocation.id == allocation_id)
    found = assignment(
        connection, activity_id=activity_id, reviewer_id=reviewer_id, allocation_id=allocation_id
    )
    if found.submitted_at is not None:
        if final and _same_review(connection, allocation_id, chosen, comments, overall):
            return found
        raise ReviewClosed("You submitted this review already.")
    if found.state == "expired":
        raise ReviewClosed(
            "Your time for this review ran out; ask for new work to review.", code="lease_expired"
        )
    if not reviews_open:
        raise ReviewClosed("The review deadline has passed.", code="reviews_closed")
    problems = {
        problem.criterion: problem.message
        for problem in check_assessment(rubric, chosen, comments, final=final)
    }
    if overall is not None and len(overall) > OVERALL_LIMIT:
        problems[None] = f"The overall comment can have at most {OVERALL_LIMIT} characters."
    if problems:
        raise AssessmentInvalid(problems)
    values = {
        "scores": dict(chosen),
        "comments": {key: text for key, text in comments.items() if text.strip()},
        "overall_comment": overall or None,
        "updated_at": now,
        "submitted_at": now if final else None,
    }
    updated = connection.execute(
        update(Assessment).where(Assessment.allocation_id == allocation_id).values(**values)
    )
    if updated.rowcount == 0:
        connection.execute(insert(Assessment).values(allocation_id=allocation_id, **values))
    connection.execute(
        update(Allocation)
        .where(Allocation.id == allocation_id)
        .values(
            state="completed" if final else "in_progress",
            completed_at=now if final else None,
            lease_expires_at=None if final else Allocation.lease_expires_at,
        )
    )
    if final and recorder is not None:
        assessment_pk = connection.execute(
            select(Assessment.id).where(Assessment.allocation_id == allocation_id)
        ).scalar_one()
        score = assessment_score(rubric, chosen)
        record_about_activity(
            recorder,
            connection,
            activity_id,
            reviewer_id,
            REVIEWED,
            submission_pk=found.submission_id,
            assessment_pk=assessment_pk,
            points=score.points,
            maximum=score.max_points,
            rubric_scores=dict(chosen),
            at=now,
        )
    return assignment(
        connection, activity_id=activity_id, reviewer_id=reviewer_id, allocation_id=allocation_id
    )


@dataclass(frozen=True)
class ReceivedReview:
    """A final review of the author's work, as the author sees it."""

    assessment_id: int
    label: str
    kind: str
    scores: Mapping[str, float]
    comments: Mapping[str, str]
    overall: str | None
    helpfulness: int | None
    flagged: bool
    hidden: bool


def received(connection: Connection, *, submission_id: int) -> list[ReceivedReview]:
    rows = connection.execute(
        select(
            Assessment.id,
            Allocation.kind,
            Assessment.scores,
            Assessment.comments,
            Assessment.overall_comment,
            Assessment.helpfulness,
            Assessment.flagged_at,
            Assessment.hidden_at,
        )
        .join(Allocation, Allocation.id == Assessment.allocation_id)
        .where(Allocation.submission_id == submission_id, Assessment.submitted_at.is_not(None))
        .order_by(Allocation.kind, Assessment.submitted_at, Assessment.id)
    ).all()
    reviews, number = [], 0
    for row in rows:
        if row.kind != "self":
            number += 1
        reviews.append(
            ReceivedReview(
                assessment_id=row.id,
                label="Your self-review" if row.kind == "self" else f"Review {number}",
                kind=row.kind,
                scores=row.scores or {},
                comments=row.comments or {},
                overall=row.overall_comment,
                helpfulness=row.helpfulness,
                flagged=row.flagged_at is not None,
                hidden=row.hidden_at is not None,
            )
        )
    return reviews


def rate(
    connection: Connection,
    *,
    author_id: int,
    activity_id: int,
    assessment_id: int,
    helpfulness: int | None,
    flag_reason: str | None,
    now: datetime,
    recorder: Recorder | None = None,
) -> None:
    """The author rates a review of their work (1 to 5) and/or flags it for staff."""
    owner = connection.execute(
        select(Submission.author_id, Allocation.kind)
        .join(Allocation, Allocation.submission_id == Submission.id)
        .join(Assessment, Assessment.allocation_id == Allocation.id)
        .where(
            Assessment.id == assessment_id,
            Submission.activity_id == activity_id,
            Assessment.submitted_at.is_not(None),
        )
    ).one_or_none()
    if owner is None or owner.author_id != author_id:
        raise NotFound("There is no such review of your work.", code="review_not_found")
    if owner.kind == "self":
        raise Forbidden("Your self-review is not rated.", code="self_review_rating")
    values: dict[str, Any] = {}
    if helpfulness is not None:
        if not 1 <= helpfulness <= 5:
            raise BadRequest("Rate a review from 1 to 5.", code="rating_range")
        values["helpfulness"] = helpfulness
    if flag_reason:
        values["flagged_at"] = now
        values["flag_reason"] = flag_reason[:2000]
    if values:
        connection.execute(
            update(Assessment).where(Assessment.id == assessment_id).values(**values)
        )
    if recorder is None:
        return
    if helpfulness is not None:
        record_about_activity(
            recorder,
            connection,
            activity_id,
            author_id,
            RATED,
            assessment_pk=assessment_id,
            rating=helpfulness,
            at=now,
        )
    if flag_reason:
        record_about_activity(
            recorder,
            connection,
            activity_id,
            author_id,
            FLAGGED,
            assessment_pk=assessment_id,
            at=now,
        )


def _same_review(
    connection: Connection,
    allocation_id: int,
    chosen: Mapping[str, float],
    comments: Mapping[str, str],
    overall: str | None,
) -> bool:
    """Whether the submitted review of ``allocation_id`` says exactly this."""
    stored = connection.execute(
        select(Assessment.scores, Assessment.comments, Assessment.overall_comment).where(
            Assessment.allocation_id == allocation_id
        )
    ).one_or_none()
    return (
        stored is not None
        and dict(stored.scores or {}) == dict(chosen)
        and dict(stored.comments or {}) == {k: t for k, t in comments.items() if t.strip()}
        and stored.overall_comment == (overall or None)
    )
