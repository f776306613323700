"""What a learner's pages show, each read in one connection: their activity page, one
review to write, and (for staff from the LMS gradebook) one learner's work."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.peer_review.calibration import CalibrationGate
from lti_tool.domain.peer_review.grades import LearnerGrade
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.peer_review import (
    calibration_attempts,
    grading,
    identities,
    reviews,
    submissions,
)
from lti_tool.peer_review import reassign as reassignments


@dataclass(frozen=True)
class LearnerPage:
    work: submissions.Work | None
    todo: list[reviews.Assignment]
    feedback: list[reviews.ReceivedReview]  # shown only once released; hidden ones too
    grade: LearnerGrade | None
    released: bool
    volunteering: bool
    calibration_gate: CalibrationGate
    author_names: dict[int, str]
    reviewer_names: dict[int, str]


def learner_page(
    engine: Engine, *, activity: PlacedActivity, settings: PeerReviewSettings, learner_id: int
) -> LearnerPage:
    """A learner's work, what they review, the feedback and grade once released, and the
    names the anonymity mode lets them see."""
    with engine.connect() as connection:
        submission_id = submissions.submission_of(connection, activity.id, learner_id)
        work = submissions.latest_work(connection, submission_id) if submission_id else None
        todo = reviews.assignments(connection, activity_id=activity.id, reviewer_id=learner_id)
        found = grading.phase(connection, activity.id)
        released = found is not None and found.released_at is not None
        volunteering = reassignments.is_volunteer(connection, activity.id, learner_id)
        gate = calibration_attempts.gate(
            connection, activity_id=activity.id, settings=settings, learner_id=learner_id
        )
        feedback = (
            reviews.received(connection, submission_id=submission_id)
            if released and submission_id
            else []
        )
        grade = grading.released_grade(connection, activity, settings, learner_id)
        anonymity = settings.anonymity
        authors = identities.author_names(
            connection, anonymity, [t.submission_id for t in todo if t.kind != "self"]
        )
        reviewers = identities.reviewer_names(
            connection, anonymity, [r.assessment_id for r in feedback if r.kind != "self"]
        )
    return LearnerPage(
        work, todo, feedback, grade, released, volunteering, gate, authors, reviewers
    )


@dataclass(frozen=True)
class ReviewTask:
    task: reviews.Assignment
    work: submissions.Work | None
    author_name: str | None  # None for a self review, or when the mode hides it


def review_task(
    engine: Engine,
    *,
    activity_id: int,
    settings: PeerReviewSettings,
    reviewer_id: int,
    allocation_id: int,
) -> ReviewTask:
    """One review a learner writes (404 if it is not theirs), with the work to review."""
    with engine.connect() as connection:
        task = reviews.assignment(
            connection,
            activity_id=activity_id,
            reviewer_id=reviewer_id,
            allocation_id=allocation_id,
        )
        work = submissions.latest_work(connection, task.submission_id)
        author = (
            None
            if task.kind == "self"
            else identities.author_names(connection, settings.anonymity, [task.submission_id]).get(
                task.submission_id
            )
        )
    return ReviewTask(task, work, author)


@dataclass(frozen=True)
class LearnerRecord:
    work: submissions.Work | None
    received: list[reviews.ReceivedReview]
    given: list[reviews.Assignment]
    grade: LearnerGrade | None


def learner_record(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    learner_id: int | None,
) -> LearnerRecord:
    """For staff: one learner's work, the reviews received and given, and the grade
    (before release, the provisional grade computed for this view)."""
    with engine.connect() as connection:
        submission_id = (
            submissions.submission_of(connection, activity.id, learner_id) if learner_id else None
        )
        work = submissions.latest_work(connection, submission_id) if submission_id else None
        received = (
            reviews.received(connection, submission_id=submission_id) if submission_id else []
        )
        given = (
            reviews.assignments(connection, activity_id=activity.id, reviewer_id=learner_id)
            if learner_id
            else []
        )
        grade = (
            grading.released_grade(connection, activity, settings, learner_id)
            if learner_id
            else None
        )
        if learner_id and grade is None:
            grade = grading.compute_grades(connection, activity, settings).get(learner_id)
    return LearnerRecord(work, received, given, grade)
