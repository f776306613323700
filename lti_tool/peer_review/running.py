"""Staff run a peer review activity: allocate reviews now, release the grades, decide a
flag, override a grade, and change who reviews what. Each is one operation in one
transaction (release first makes sure the LMS has the reviewing column)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.peer_review.grade_model import GradeComponent
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.lti.ags import AgsClient
from lti_tool.lti.registrations import RegistrationDirectory
from lti_tool.peer_review import allocate, grading, manual_allocation, moderation, overrides
from lti_tool.peer_review.gradebook import ensure_review_column
from lti_tool.peer_review.people import people_of


def allocate_reviews(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    now: datetime,
    recorder: Recorder,
) -> None:
    """Allocate the reviews now, whatever the planned time."""
    with engine.begin() as connection:
        allocate.allocate(
            connection, activity=activity, settings=settings, now=now, recorder=recorder
        )


def release_grades(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    ags: AgsClient,
    registrations: RegistrationDirectory,
    now: datetime,
    recorder: Recorder,
) -> None:
    """Release feedback and grades now (and queue the grades for the LMS)."""
    # The reviewing column (if graded apart) exists before any grade is queued for it.
    ensure_review_column(
        engine, activity=activity, settings=settings, ags=ags, registrations=registrations
    )
    with engine.begin() as connection:
        grading.release(
            connection, activity=activity, settings=settings, now=now, recorder=recorder
        )


def decide_flag(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    assessment_id: int,
    decision: moderation.Decision,
    staff_id: int,
    now: datetime,
    recorder: Recorder,
) -> None:
    """Uphold a flag (the review is hidden) or dismiss it (the review counts again)."""
    with engine.begin() as connection:
        moderation.decide_flag(
            connection,
            activity=activity,
            settings=settings,
            assessment_id=assessment_id,
            decision=decision,
            staff_id=staff_id,
            now=now,
            recorder=recorder,
        )


def set_override(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    learner_id: int,
    component: GradeComponent,
    value: float,
    reason: str,
    staff_id: int,
    now: datetime,
    recorder: Recorder,
) -> None:
    """Override one component of a learner's grade, with a reason."""
    with engine.begin() as connection:
        overrides.set_override(
            connection,
            activity=activity,
            settings=settings,
            learner_id=learner_id,
            component=component,
            value=value,
            reason=reason,
            staff_id=staff_id,
            now=now,
            recorder=recorder,
        )


def remove_override(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    learner_id: int,
    component: GradeComponent,
    staff_id: int,
    now: datetime,
    recorder: Recorder,
) -> None:
    """Remove an override: the computed grade applies again."""
    with engine.begin() as connection:
        overrides.remove_override(
            connection,
            activity=activity,
            settings=settings,
            learner_id=learner_id,
            component=component,
            staff_id=staff_id,
            now=now,
            recorder=recorder,
        )


def staff_edit(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    staff_id: int,
    now: datetime,
    recorder: Recorder,
    allow_group_override: bool = False,
) -> manual_allocation.StaffEdit:
    """Who changes the allocation of which activity (with the course's names, so that a
    refusal can say whom it is about)."""
    with engine.connect() as connection:
        people = people_of(connection, activity.context_id)
    return manual_allocation.StaffEdit(
        activity=activity,
        settings=settings,
        staff_id=staff_id,
        names={person: found["name"] for person, found in people.items()},
        now=now,
        allow_group_override=allow_group_override,
        recorder=recorder,
    )


def add_reviewer(
    engine: Engine, edit: manual_allocation.StaffEdit, *, submission_id: int, reviewer_id: int
) -> None:
    with engine.begin() as connection:
        manual_allocation.add_reviewer(
            connection, edit, submission_id=submission_id, reviewer_id=reviewer_id
        )


def remove_allocation(
    engine: Engine, edit: manual_allocation.StaffEdit, *, allocation_id: int
) -> None:
    with engine.begin() as connection:
        manual_allocation.remove_allocation(connection, edit, allocation_id=allocation_id)


def swap_reviewers(
    engine: Engine, edit: manual_allocation.StaffEdit, *, first_id: int, second_id: int
) -> None:
    with engine.begin() as connection:
        manual_allocation.swap_reviewers(connection, edit, first_id=first_id, second_id=second_id)
