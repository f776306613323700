"""Learners' side of calibration: the gate before reviewing, their assessments of the
teacher's examples, and the comparison with the teacher's assessment afterwards.

Examples are the teacher's own work, and a learner only ever sees their own attempts and
the teacher's assessment: nothing here names or shows another learner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, exists, insert, select
from sqlalchemy.exc import IntegrityError

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.errors import Forbidden, NotFound, PeerlearnError
from lti_tool.domain.peer_review import calibration as rules
from lti_tool.domain.peer_review.calibration import CalibrationGate
from lti_tool.domain.peer_review.rubric import check_assessment
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import calibration, grading
from lti_tool.peer_review.activity_statements import ANSWERED_CALIBRATION, record_about_activity
from lti_tool.peer_review.reviews import AssessmentInvalid
from lti_tool.persistence.peer_review_models import Allocation, Assessment, CalibrationAttempt


class CalibrationRequired(Forbidden):
    code = "calibration_required"
    title = "Calibrate first"
    advice = (
        "Before you review classmates' work, assess your teacher's examples: open the "
        "activity and choose Calibrate."
    )


class CalibrationClosed(PeerlearnError):
    code = "calibration_closed"
    status = 409
    title = "Calibration is closed"
    advice = "Reviews are due or results are out, so examples can no longer be assessed."


@dataclass(frozen=True)
class Attempt:
    levels: Mapping[str, float]
    comments: Mapping[str, str]
    submitted_at: datetime


@dataclass(frozen=True)
class LearnerExample:
    """A ready example as one learner sees it: the teacher's assessment (``example``) is
    shown only once ``attempt`` exists."""

    example: calibration.Example
    number: int
    attempt: Attempt | None
    accuracy: float | None  # this attempt against the teacher's, once submitted


def _attempts(connection: Connection, activity_id: int, learner_id: int) -> dict[int, Attempt]:
    rows = connection.execute(
        select(
            CalibrationAttempt.example_id,
            CalibrationAttempt.scores,
            CalibrationAttempt.comments,
            CalibrationAttempt.submitted_at,
        ).where(
            CalibrationAttempt.activity_id == activity_id,
            CalibrationAttempt.learner_id == learner_id,
            CalibrationAttempt.submitted_at.is_not(None),
        )
    )
    return {
        row.example_id: Attempt(
            levels={key: float(value) for key, value in (row.scores or {}).items()},
            comments=dict(row.comments or {}),
            submitted_at=row.submitted_at,
        )
        for row in rows
    }


def _started_reviewing(connection: Connection, activity_id: int, learner_id: int) -> bool:
    return bool(
        connection.execute(
            select(
                exists()
                .where(Assessment.allocation_id == Allocation.id)
                .where(Allocation.activity_id == activity_id, Allocation.reviewer_id == learner_id)
            )
        ).scalar_one()
    )


def gate(
    connection: Connection, *, activity_id: int, settings: PeerReviewSettings, learner_id: int
) -> CalibrationGate:
    """Whether this learner may review yet (see the domain rules)."""
    if not settings.calibration:
        return rules.calibration_gate(
            enabled=False, required=0, ready=0, assessed=0, started_reviewing=False
        )
    found = calibration.examples(connection, activity_id, settings.rubric)
    ready = {example.id for example in found if example.ready}
    assessed = set(_attempts(connection, activity_id, learner_id)) & ready
    return rules.calibration_gate(
        enabled=True,
        required=settings.calibration_examples,
        ready=len(ready),
        assessed=len(assessed),
        started_reviewing=_started_reviewing(connection, activity_id, learner_id),
    )


def require_calibrated(
    connection: Connection, activity_id: int, settings: PeerReviewSettings, learner_id: int
) -> None:
    """Refuse (403) a learner who must assess examples before reviewing."""
    if not settings.calibration:
        return
    found = gate(connection, activity_id=activity_id, settings=settings, learner_id=learner_id)
    if not found.open:
        raise CalibrationRequired(
            f"Assess {found.remaining} more of your teacher's examples before you review."
        )


def is_open(
    connection: Connection, *, activity_id: int, settings: PeerReviewSettings, now: datetime
) -> bool:
    """Whether learners may still assess examples."""
    found = grading.phase(connection, activity_id)
    return rules.calibration_open(
        now=now,
        reviews_due=settings.reviews_due,
        released=found is not None and found.released_at is not None,
    )


def learner_examples(
    connection: Connection, *, activity_id: int, settings: PeerReviewSettings, learner_id: int
) -> list[LearnerExample]:
    """The ready examples, numbered, with the learner's attempts and their accuracy."""
    ready = [e for e in calibration.examples(connection, activity_id, settings.rubric) if e.ready]
    mine = _attempts(connection, activity_id, learner_id)
    per_example = _accuracy_per_example(connection, activity_id, settings, learner_id)
    return [
        LearnerExample(
            example=example,
            number=number,
            attempt=mine.get(example.id),
            accuracy=per_example.get(example.id),
        )
        for number, example in enumerate(ready, start=1)
    ]


def _accuracy_per_example(
    connection: Connection, activity_id: int, settings: PeerReviewSettings, learner_id: int
) -> dict[int, float]:
    """The learner's accuracy on each example they attempted. The comparison weighs each
    criterion by how much everyone disagreed on it, so it uses every attempt; only the
    learner's own number comes out."""
    references = calibration.references(connection, activity_id)
    rows = connection.execute(
        select(
            CalibrationAttempt.example_id, CalibrationAttempt.learner_id, CalibrationAttempt.scores
        ).where(
            CalibrationAttempt.activity_id == activity_id,
            CalibrationAttempt.submitted_at.is_not(None),
        )
    ).all()
    mine = {row.example_id for row in rows if row.learner_id == learner_id}
    found = {}
    for example_id in mine:
        accuracy = rules.learner_accuracy(
            settings.rubric,
            {example_id: references.get(example_id, {})},
            (
                (row.example_id, str(row.learner_id), row.scores or {})
                for row in rows
                if row.example_id == example_id
            ),
            strictness=settings.strictness,
        ).get(str(learner_id))
        if accuracy is not None:
            found[example_id] = accuracy
    return found


def submit_attempt(
    connection: Connection,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    learner_id: int,
    example_id: int,
    levels: Mapping[str, float],
    comments: Mapping[str, str],
    now: datetime,
    recorder: Recorder | None = None,
) -> None:
    """Submit the learner's assessment of a ready example, for good."""
    if not settings.calibration:
        raise NotFound("This activity has no calibration.", code="calibration_off")
    example = calibration.example(connection, activity.id, example_id, settings.rubric)
    if not example.ready:
        raise NotFound("There is no such calibration example here.", code="example_not_found")
    if example_id in _attempts(connection, activity.id, learner_id):
        raise CalibrationClosed(
            "You assessed this example already.", code="calibration_attempt_final"
        )
    if not is_open(connection, activity_id=activity.id, settings=settings, now=now):
        raise CalibrationClosed("Calibration is closed for this activity.")
    problems = {
        problem.criterion: problem.message
        for problem in check_assessment(settings.rubric, levels, comments, final=True)
    }
    if problems:
        raise AssessmentInvalid(problems)
    try:
        attempt_id = connection.execute(
            insert(CalibrationAttempt)
            .values(
                activity_id=activity.id,
                example_id=example_id,
                learner_id=learner_id,
                scores=dict(levels),
                comments={key: text for key, text in comments.items() if text.strip()},
                submitted_at=now,
            )
            .returning(CalibrationAttempt.id)
        ).scalar_one()
    except IntegrityError:  # the same form sent twice at once: the first one stands
        raise CalibrationClosed(
            "You assessed this example already.", code="calibration_attempt_final"
        ) from None
    if recorder is not None:
        accuracy = _accuracy_per_example(connection, activity.id, settings, learner_id)
        record_about_activity(
            recorder,
            connection,
            activity.id,
            learner_id,
            ANSWERED_CALIBRATION,
            example_pk=example_id,
            attempt_pk=attempt_id,
            accuracy=accuracy.get(example_id, 0.0),
            rubric_scores=dict(levels),
            at=now,
        )
