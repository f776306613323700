"""Learners' peer review grades: composition, overrides, progress and explanation.

A learner has up to two components, the submission grade (from peers' scores) and the
review grade (from their own reviewing), combined by weight into one gradebook column
or published as two. A staff override of a component always wins. Grading progress
follows the phase: ``Pending`` until results are released, ``PendingManual`` while
staff must act (an open flag, or too few reviews), then ``FullyGraded``.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lti_tool.domain.grading import ActivityProgress, Grade, GradingProgress
from lti_tool.domain.peer_review.grade_model import (
    ComponentGrade,
    GradeComponent,
    GradingPolicy,
    LearnerRecord,
    Override,
)
from lti_tool.domain.peer_review.rubric import Rubric
from lti_tool.domain.peer_review.scoring import (
    CohortAccuracy,
    FlagStatus,
    PeerAssessment,
    SubmissionScore,
    cohort_accuracy,
    counted,
    mean_helpfulness,
    reviewer_weights,
    score_submission,
)
from lti_tool.domain.peer_review.settings import (
    REVIEWING_TAG,
    SUBMISSION_TAG,
    Aggregation,
    GradeLines,
    ReviewGradeMode,
)


@dataclass(frozen=True)
class ReviewLine:
    """One review of the learner's work as the learner may see it: no reviewer identity."""

    label: str
    counted: bool
    reason: str
    weight: float | None
    points: Mapping[str, float]


@dataclass(frozen=True)
class CriterionLine:
    key: str
    title: str
    values: tuple[float, ...]
    aggregated: float | None
    maximum: float


@dataclass(frozen=True)
class GradeExplanation:
    """The "how my grade was computed" page: reviews by ordinal label, never by person."""

    method: str
    reviews: tuple[ReviewLine, ...]
    criteria: tuple[CriterionLine, ...]
    inputs: tuple[tuple[str, float], ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class LearnerGrade:
    learner: str
    submission: ComponentGrade
    review: ComponentGrade
    final: ComponentGrade | None  # None with two gradebook columns
    activity_progress: ActivityProgress
    explanation: GradeExplanation

    def line_grades(self) -> dict[str, Grade]:
        """The AGS grade for each gradebook column, by line item tag."""
        if self.final is not None:
            return {SUBMISSION_TAG: _grade(self.final, self.activity_progress)}
        return {
            SUBMISSION_TAG: _grade(self.submission, self.activity_progress),
            REVIEWING_TAG: _grade(self.review, self.activity_progress),
        }


def _grade(component: ComponentGrade, progress: ActivityProgress) -> Grade:
    return Grade(
        score_given=component.score,
        score_maximum=component.maximum,
        activity_progress=progress,
        grading_progress=component.progress,
    )


def grade_cohort(
    policy: GradingPolicy, rubric: Rubric, records: Sequence[LearnerRecord]
) -> dict[str, LearnerGrade]:
    """Every learner's grade; reviewer accuracy is measured over the whole activity."""
    accuracy = CohortAccuracy()
    if (
        policy.aggregation is Aggregation.ACCURACY_WEIGHTED
        or policy.review_grade is ReviewGradeMode.ACCURACY
    ):
        accuracy = cohort_accuracy(
            rubric,
            (r.reviews_received for r in records if r.reviews_received),
            strictness=policy.strictness,
        )
    return {r.learner: grade_learner(policy, rubric, r, accuracy=accuracy) for r in records}


def grade_learner(
    policy: GradingPolicy,
    rubric: Rubric,
    record: LearnerRecord,
    *,
    accuracy: CohortAccuracy | None = None,
) -> LearnerGrade:
    """One learner's grade; ``accuracy`` comes from :func:`cohort_accuracy` when needed."""
    accuracy = accuracy or CohortAccuracy()
    if policy.grade_lines is GradeLines.SEPARATE and GradeComponent.FINAL in record.overrides:
        raise ValueError("With two gradebook columns, override each component instead.")
    notes: list[str] = []
    weights = (
        reviewer_weights(record.reviews_received or (), accuracy)
        if policy.aggregation is Aggregation.ACCURACY_WEIGHTED
        else None
    )
    submission = _submission_component(policy, rubric, record, weights, notes)
    review = _review_component(policy, record, accuracy, notes)
    final = None
    if policy.grade_lines is GradeLines.COMBINED:
        final = _final_component(policy, record, submission, review)
    return LearnerGrade(
        learner=record.learner,
        submission=submission,
        review=review,
        final=final,
        activity_progress=_activity_progress(record),
        explanation=_explain(
            policy,
            rubric,
            record,
            weights=weights,
            submission=submission,
            review=review,
            notes=notes,
        ),
    )


def _submission_component(
    policy: GradingPolicy,
    rubric: Rubric,
    record: LearnerRecord,
    weights: Mapping[str, float] | None,
    notes: list[str],
) -> ComponentGrade:
    maximum = policy.score_maximum
    override = record.overrides.get(GradeComponent.SUBMISSION)
    if override is not None:
        notes.append("Your submission grade was set by staff.")
        return _overridden(override, maximum)
    if record.reviews_received is None:
        if record.released:
            notes.append("You did not submit work, so the submission grade is 0.")
            return ComponentGrade(0.0, maximum, GradingProgress.FULLY_GRADED, "no-submission")
        return ComponentGrade(None, maximum, GradingProgress.PENDING, "pending")
    peers = score_submission(
        rubric,
        record.reviews_received,
        method=policy.aggregation,
        score_maximum=maximum,
        weights=weights,
    )
    provisional = peers.score if peers is not None else None
    if not record.released:
        return ComponentGrade(None, maximum, GradingProgress.PENDING, "pending", provisional)
    waiting = _why_staff_must_grade(policy, record.reviews_received, peers)
    if waiting or peers is None:
        notes.append(waiting)
        return ComponentGrade(None, maximum, GradingProgress.PENDING_MANUAL, "staff", provisional)
    return ComponentGrade(peers.score, maximum, GradingProgress.FULLY_GRADED, "peers", peers.score)


def _why_staff_must_grade(
    policy: GradingPolicy, received: Sequence[PeerAssessment], peers: SubmissionScore | None
) -> str:
    if any(a.flag is FlagStatus.OPEN for a in received if not a.self_review):
        return "A review of your work was flagged; staff will look at it."
    if peers is None or len(peers.counted) < policy.minimum_reviews:
        return "Your work has too few reviews; staff will grade it."
    return ""


def _review_component(
    policy: GradingPolicy, record: LearnerRecord, accuracy: CohortAccuracy, notes: list[str]
) -> ComponentGrade:
    maximum = policy.review_score_maximum
    override = record.overrides.get(GradeComponent.REVIEW)
    if override is not None:
        notes.append("Your review grade was set by staff.")
        return _overridden(override, maximum)
    share = _review_share(policy, record, accuracy)
    provisional = share * maximum
    if not record.released:
        return ComponentGrade(None, maximum, GradingProgress.PENDING, "pending", provisional)
    if any(a.flag is FlagStatus.OPEN for a in record.reviews_written):
        notes.append("One of your reviews was flagged; staff will look at it.")
        return ComponentGrade(None, maximum, GradingProgress.PENDING_MANUAL, "staff", provisional)
    return ComponentGrade(
        provisional, maximum, GradingProgress.FULLY_GRADED, "reviewing", provisional
    )


def _review_share(policy: GradingPolicy, record: LearnerRecord, accuracy: CohortAccuracy) -> float:
    done = counted(record.reviews_written)
    # Nobody to review (a tiny class) is not the learner's fault.
    completion = (
        1.0 if record.reviews_assigned <= 0 else min(1.0, len(done) / record.reviews_assigned)
    )
    share = completion
    if policy.review_grade is ReviewGradeMode.ACCURACY:
        found = [accuracy.by_assessment[a.ref] for a in done if a.ref in accuracy.by_assessment]
        # Accuracy of the reviews written, scaled by how many of the assigned were written.
        if found:
            share = completion * statistics.fmean(found)
        elif record.reviews_assigned > 0:
            share = 0.0
        # else: nothing assigned, nothing to judge; completion (1) stands.
    # Calibration counts whichever way reviewing is graded; a learner with no result
    # (examples were not ready, or they began reviewing before) is judged on reviews alone.
    if policy.calibration_weight > 0 and record.calibration is not None:
        weight = policy.calibration_weight
        share = (1 - weight) * share + weight * record.calibration
    helpfulness = mean_helpfulness(record.reviews_written)
    if policy.helpfulness_weight > 0 and helpfulness is not None:
        share = (1 - policy.helpfulness_weight) * share + policy.helpfulness_weight * helpfulness
    return min(1.0, max(0.0, share))


def _final_component(
    policy: GradingPolicy,
    record: LearnerRecord,
    submission: ComponentGrade,
    review: ComponentGrade,
) -> ComponentGrade:
    maximum = policy.score_maximum
    override = record.overrides.get(GradeComponent.FINAL)
    if override is not None:
        return _overridden(override, maximum)
    progress = _worst(submission.progress, review.progress)
    if submission.score is None or review.score is None:
        waiting = "staff" if progress is GradingProgress.PENDING_MANUAL else "pending"
        return ComponentGrade(None, maximum, progress, waiting)
    share = (
        policy.submission_weight * submission.score / submission.maximum
        + policy.review_weight * review.score / review.maximum
    ) / (policy.submission_weight + policy.review_weight)
    score = min(maximum, max(0.0, share * maximum))
    source = "override" if submission.override or review.override else "peers"
    return ComponentGrade(score, maximum, GradingProgress.FULLY_GRADED, source, score)


def _overridden(override: Override, maximum: float) -> ComponentGrade:
    value = min(override.value, maximum)
    return ComponentGrade(
        value, maximum, GradingProgress.FULLY_GRADED, "override", value, override=override
    )


_PROGRESS_ORDER = (
    GradingProgress.FULLY_GRADED,
    GradingProgress.PENDING,
    GradingProgress.PENDING_MANUAL,
)


def _worst(*progress: GradingProgress) -> GradingProgress:
    # Staff action needed outranks waiting, which outranks done.
    return max(progress, key=_PROGRESS_ORDER.index)


def _activity_progress(record: LearnerRecord) -> ActivityProgress:
    written = len(counted(record.reviews_written))
    if record.reviews_received is None:
        return ActivityProgress.IN_PROGRESS if written else ActivityProgress.INITIALIZED
    if written >= record.reviews_assigned:
        return ActivityProgress.COMPLETED
    return ActivityProgress.SUBMITTED


def _reason(assessment: PeerAssessment) -> str:
    if assessment.self_review:
        return "Your self-review does not count toward your grade."
    if assessment.flag is FlagStatus.OPEN:
        return "Flagged; left out while staff look at it."
    if assessment.flag is FlagStatus.UPHELD:
        return "Removed by staff."
    return ""


def _explain(
    policy: GradingPolicy,
    rubric: Rubric,
    record: LearnerRecord,
    *,
    weights: Mapping[str, float] | None,
    submission: ComponentGrade,
    review: ComponentGrade,
    notes: list[str],
) -> GradeExplanation:
    received = list(record.reviews_received or ())
    lines = []
    number = 0
    for assessment in received:
        if assessment.self_review:
            label = "Self-review"
        else:
            number += 1
            label = f"Review {number}"
        lines.append(
            ReviewLine(
                label=label,
                counted=assessment.counts,
                reason=_reason(assessment),
                weight=weights.get(assessment.ref) if weights and assessment.counts else None,
                points=dict(assessment.chosen),
            )
        )
    used = counted(received)
    peers = score_submission(
        rubric,
        received,
        method=policy.aggregation,
        score_maximum=policy.score_maximum,
        weights=weights,
    )
    criteria = tuple(
        CriterionLine(
            key=c.key,
            title=c.title,
            values=tuple(a.chosen[c.key] for a in used),
            aggregated=peers.criteria[c.key] if peers is not None else None,
            maximum=c.max_points,
        )
        for c in rubric.criteria
    )
    inputs: list[tuple[str, float]] = [
        ("rubric maximum points", rubric.max_points),
        ("reviews counted", float(len(used))),
        ("reviews assigned to you", float(record.reviews_assigned)),
        ("reviews you completed", float(len(counted(record.reviews_written)))),
    ]
    if peers is not None:
        inputs.append(("points from peers", peers.points))
    if submission.score is not None:
        inputs.append(("submission grade", submission.score))
    if policy.calibration_weight > 0:
        if record.calibration is None:
            notes.append("You have no calibration result, so your reviews alone count.")
        else:
            inputs += [
                ("your calibration accuracy", round(record.calibration, 4)),
                ("calibration share of the review grade", policy.calibration_weight),
            ]
    if review.score is not None:
        inputs.append(("review grade", review.score))
    if policy.grade_lines is GradeLines.COMBINED:
        inputs += [
            ("submission weight", policy.submission_weight),
            ("review weight", policy.review_weight),
        ]
    return GradeExplanation(
        method=policy.aggregation.value,
        reviews=tuple(lines),
        criteria=criteria,
        inputs=tuple(inputs),
        notes=tuple(notes),
    )
