"""Grades of a peer review activity: loaded from the database, computed by the domain
(:mod:`lti_tool.domain.peer_review.grades`), published to the LMS through the outbox."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, and_, func, insert, select, update

from lti_tool.courses.activities import PlacedActivity
from lti_tool.courses.grade_passback import publish_grade
from lti_tool.domain.grading import ActivityProgress, Grade, GradingProgress
from lti_tool.domain.peer_review.grade_model import (
    GradeComponent,
    GradingPolicy,
    LearnerRecord,
    Override,
)
from lti_tool.domain.peer_review.grades import LearnerGrade, grade_cohort
from lti_tool.domain.peer_review.scoring import FlagStatus, PeerAssessment
from lti_tool.domain.peer_review.settings import (
    REVIEWING_TAG,
    SUBMISSION_TAG,
    PeerReviewSettings,
)
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import calibration, stored_grades
from lti_tool.peer_review.activity_statements import SCORED, record_about_activity
from lti_tool.persistence.db import lock_rows
from lti_tool.persistence.models import Activity, Membership
from lti_tool.persistence.peer_review_models import (
    Allocation,
    Assessment,
    GradeOverride,
    ReviewPhase,
    Submission,
)


def phase(connection: Connection, activity_id: int) -> ReviewPhase | None:
    row = connection.execute(
        select(ReviewPhase.__table__).where(ReviewPhase.activity_id == activity_id)
    ).one_or_none()
    if row is None:
        return None
    return ReviewPhase(**row._mapping)


def ensure_phase(connection: Connection, activity_id: int) -> None:
    if phase(connection, activity_id) is None:
        connection.execute(insert(ReviewPhase).values(activity_id=activity_id))


def _flag(flagged_at: datetime | None, hidden_at: datetime | None) -> FlagStatus:
    if hidden_at is not None:
        return FlagStatus.UPHELD
    return FlagStatus.OPEN if flagged_at is not None else FlagStatus.NONE


def learner_records(
    connection: Connection, activity: PlacedActivity, *, released: bool
) -> list[LearnerRecord]:
    """What grading needs about every learner of the course, and every submitter."""
    learners = set(
        connection.scalars(
            select(Membership.user_id).where(
                Membership.context_id == activity.context_id,
                Membership.course_role == "learner",
                Membership.status != "Deleted",
            )
        )
    )
    submissions = dict(
        connection.execute(
            select(Submission.author_id, Submission.id).where(Submission.activity_id == activity.id)
        ).all()
    )
    learners |= set(submissions)
    received: dict[int, list[PeerAssessment]] = defaultdict(list)
    written: dict[int, list[PeerAssessment]] = defaultdict(list)
    for row in connection.execute(
        select(
            Assessment.id,
            Assessment.scores,
            Assessment.helpfulness,
            Assessment.flagged_at,
            Assessment.hidden_at,
            Allocation.reviewer_id,
            Allocation.kind,
            Submission.author_id,
        )
        .join(Allocation, Allocation.id == Assessment.allocation_id)
        .join(Submission, Submission.id == Allocation.submission_id)
        .where(Allocation.activity_id == activity.id, Assessment.submitted_at.is_not(None))
        .order_by(Assessment.submitted_at, Assessment.id)
    ):
        assessment = PeerAssessment(
            ref=str(row.id),
            reviewer=str(row.reviewer_id),
            chosen={key: float(value) for key, value in (row.scores or {}).items()},
            flag=_flag(row.flagged_at, row.hidden_at),
            self_review=row.kind == "self",
            helpfulness=row.helpfulness,
        )
        received[row.author_id].append(assessment)
        if row.kind != "self":
            written[row.reviewer_id].append(assessment)
    assigned = dict(
        connection.execute(
            select(Allocation.reviewer_id, func.count())
            .where(
                Allocation.activity_id == activity.id,
                Allocation.kind == "peer",
                Allocation.state != "removed",
            )
            .group_by(Allocation.reviewer_id)
        ).all()
    )
    overrides: dict[int, dict[GradeComponent, Override]] = defaultdict(dict)
    for found in connection.execute(
        select(
            GradeOverride.learner_id,
            GradeOverride.component,
            GradeOverride.value,
            GradeOverride.by_user_id,
            GradeOverride.at,
            GradeOverride.reason,
        ).where(GradeOverride.activity_id == activity.id)
    ):
        overrides[found.learner_id][GradeComponent(found.component)] = Override(
            value=found.value, by=str(found.by_user_id), at=found.at, reason=found.reason or ""
        )
    return [
        LearnerRecord(
            learner=str(learner),
            reviews_received=received.get(learner, []) if learner in submissions else None,
            reviews_written=written.get(learner, []),
            reviews_assigned=int(assigned.get(learner, 0)),
            released=released,
            overrides=overrides.get(learner, {}),
        )
        for learner in sorted(learners)
    ]


def compute_grades(
    connection: Connection, activity: PlacedActivity, settings: PeerReviewSettings
) -> dict[int, LearnerGrade]:
    found = phase(connection, activity.id)
    released = found is not None and found.released_at is not None
    records = learner_records(connection, activity, released=released)
    records = calibration.with_calibration(connection, activity.id, settings, records)
    grades = grade_cohort(GradingPolicy.from_settings(settings), settings.rubric, records)
    return {int(learner): grade for learner, grade in grades.items()}


def release(
    connection: Connection,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    now: datetime,
    recorder: Recorder | None = None,
) -> dict[int, LearnerGrade]:
    """Release feedback and grades to learners, and send the grades to the LMS."""
    # Releases sent twice at once run one after the other (the second changes nothing).
    lock_rows(connection, Activity, Activity.id == activity.id)
    ensure_phase(connection, activity.id)
    connection.execute(
        update(ReviewPhase)
        .where(and_(ReviewPhase.activity_id == activity.id, ReviewPhase.released_at.is_(None)))
        .values(released_at=now)
    )
    grades = compute_grades(connection, activity, settings)
    stored_grades.store(connection, activity.id, grades, now=now)
    _publish(connection, activity, grades, now=now, recorder=recorder)
    return grades


def republish(
    connection: Connection,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    learner_ids: Iterable[int] | None,
    now: datetime,
    recorder: Recorder | None = None,
) -> dict[int, LearnerGrade]:
    """Recompute the cohort after staff changed something grades depend on (a flag
    decided, an override, a grading setting), store it, and send the grades of
    ``learner_ids`` (None: everyone) and of every other learner whose gradebook values
    changed: with accuracy-weighted grading one decision can move anyone's grade.

    Before release nothing is computed or sent: release does both for everyone.
    """
    found = phase(connection, activity.id)
    if found is None or found.released_at is None:
        return {}
    before = stored_grades.stored_grades(connection, activity.id)
    grades = compute_grades(connection, activity, settings)
    stored_grades.store(connection, activity.id, grades, now=now)
    wanted = set(grades) if learner_ids is None else set(learner_ids)
    sent = {
        learner: grade
        for learner, grade in grades.items()
        if learner in wanted
        or learner not in before
        or before[learner].line_grades() != grade.line_grades()
    }
    _publish(connection, activity, sent, now=now, recorder=recorder)
    return sent


def released_grade(
    connection: Connection, activity: PlacedActivity, settings: PeerReviewSettings, learner: int
) -> LearnerGrade | None:
    """A learner's grade as released: the stored record, else (a learner who joined after
    release, or a record older code wrote) computed now. None before release."""
    found = phase(connection, activity.id)
    if found is None or found.released_at is None:
        return None
    stored = stored_grades.stored_grade(connection, activity.id, learner)
    if stored is not None:
        return stored
    return compute_grades(connection, activity, settings).get(learner)


def _publish(
    connection: Connection,
    activity: PlacedActivity,
    grades: dict[int, LearnerGrade],
    *,
    now: datetime,
    recorder: Recorder | None,
) -> None:
    review_column = (phase(connection, activity.id) or ReviewPhase()).review_line_item_url
    for learner_id, grade in grades.items():
        lines = grade.line_grades()
        line = lines[SUBMISSION_TAG]
        if activity.line_item_url:
            publish_grade(
                connection, activity_id=activity.id, user_id=learner_id, grade=line, at=now
            )
        if REVIEWING_TAG in lines and review_column:
            publish_grade(
                connection,
                activity_id=activity.id,
                user_id=learner_id,
                grade=lines[REVIEWING_TAG],
                at=now,
                line_item_url=review_column,
            )
        if recorder is not None and line.score_given is not None:
            record_about_activity(
                recorder,
                connection,
                activity.id,
                learner_id,
                SCORED,
                score=line.score_given,
                maximum=line.score_maximum,
                grading_progress=line.grading_progress.value,
                at=now,
            )


def publish_submitted(
    connection: Connection, *, activity: PlacedActivity, author_id: int, now: datetime
) -> None:
    """Tell the gradebook work arrived and grading is under way (no score yet)."""
    if not activity.line_item_url or not activity.score_maximum:
        return
    publish_grade(
        connection,
        activity_id=activity.id,
        user_id=author_id,
        grade=Grade(
            score_given=None,
            score_maximum=activity.score_maximum,
            activity_progress=ActivityProgress.SUBMITTED,
            grading_progress=GradingProgress.PENDING,
        ),
        at=now,
    )
