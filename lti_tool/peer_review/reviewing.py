"""A learner's acts as a reviewer and as an author of reviewed work, each one operation
in one transaction: save or submit a review, rate (and perhaps flag) a review received.
Either may move released grades, which are then sent again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import grading, queue, reassign, reviews


def reviews_open(settings: PeerReviewSettings, now: datetime) -> bool:
    return settings.reviews_due is None or now <= settings.reviews_due


def save_review(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    reviewer_id: int,
    allocation_id: int,
    chosen: dict[str, float],
    comments: dict[str, str],
    overall: str | None,
    final: bool,
    now: datetime,
    recorder: Recorder,
) -> None:
    """Save a draft of a review, or submit it (``final``); raises
    :class:`~lti_tool.peer_review.reviews.AssessmentInvalid` with each problem."""
    with engine.begin() as connection:
        reviews.save_assessment(
            connection,
            activity_id=activity.id,
            reviewer_id=reviewer_id,
            allocation_id=allocation_id,
            rubric=settings.rubric,
            chosen=chosen,
            comments=comments,
            overall=overall,
            final=final,
            now=now,
            reviews_open=reviews_open(settings, now),
            recorder=recorder,
        )
        if final:
            # A review finished after release changes its author's grade (and, graded by
            # accuracy, others'): send whatever moved.
            grading.republish(
                connection,
                activity=activity,
                settings=settings,
                learner_ids=set(),
                now=now,
                recorder=recorder,
            )


def rate_review(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    author_id: int,
    assessment_id: int,
    helpfulness: int | None,
    flag_reason: str | None,
    now: datetime,
    recorder: Recorder,
) -> None:
    """An author rates the helpfulness of a review they received, and may flag it."""
    with engine.begin() as connection:
        reviews.rate(
            connection,
            author_id=author_id,
            activity_id=activity.id,
            assessment_id=assessment_id,
            helpfulness=helpfulness,
            flag_reason=flag_reason,
            now=now,
            recorder=recorder,
        )
        flagged = bool(flag_reason)
        if flagged or settings.helpfulness_weight > 0:
            # An open flag puts the author's released grade back to PendingManual; with a
            # helpfulness share, a rating moves the reviewer's grade: send what moved.
            grading.republish(
                connection,
                activity=activity,
                settings=settings,
                learner_ids={author_id} if flagged else set(),
                now=now,
                recorder=recorder,
            )


def take_next_review(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    reviewer_id: int,
    now: datetime,
    recorder: Recorder,
) -> int | None:
    """Continuous queue: lease the submission that needs a review most (its allocation
    id), or ``None`` when nothing needs one."""
    with engine.begin() as connection:
        return queue.take_next(
            connection,
            activity=activity,
            settings=settings,
            reviewer_id=reviewer_id,
            now=now,
            recorder=recorder,
        )


def offer_to_review(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    user_id: int,
    offer: bool,
    now: datetime,
) -> None:
    """A learner who finished their reviews offers (or stops offering) to review more."""
    with engine.begin() as connection:
        reassign.volunteer(
            connection,
            activity=activity,
            user_id=user_id,
            offer=offer,
            k=settings.reviews_per_submission,
            now=now,
        )
