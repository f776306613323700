"""Scores from peer assessments: per-criterion aggregation, and reviewer accuracy.

Accuracy follows Moodle Workshop's "comparison with the best assessment": per
submission, every counted assessment is normalised to 0..100 per criterion; the
assessment closest to the mean (the "best") is the referential; each assessment's
distance to its nearest best is, per criterion, ``|d| * d**2 / (factor * variance)``
averaged over criteria, where ``variance`` is the criterion's population variance
across the assessments (at least 0.01) and ``factor`` the strictness (9 very lax ...
1 very strict). Accuracy is ``clamp(100 - distance, 0, 100) / 100``. Disagreeing on a
criterion peers disagree about costs little; disagreeing where they agree costs a lot.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lti_tool.domain.peer_review.rubric import Rubric
from lti_tool.domain.peer_review.settings import Aggregation, Strictness

# Moodle treats variances under this as this, so a tiny disagreement is not infinite.
MIN_VARIANCE = 0.01


class FlagStatus(enum.StrEnum):
    """An author's flag on a review (unhelpful, rude, wrong) and what staff decided."""

    NONE = "none"
    OPEN = "open"  # awaiting staff: the review is left out and the grade waits
    UPHELD = "upheld"  # staff agreed: the review is left out for good
    DISMISSED = "dismissed"  # staff disagreed: the review counts


@dataclass(frozen=True)
class PeerAssessment:
    """One final assessment of a submission. ``ref`` is an opaque id (e.g. the row id):
    learners never see it, nor ``reviewer``."""

    ref: str
    reviewer: str
    chosen: Mapping[str, float]
    flag: FlagStatus = FlagStatus.NONE
    self_review: bool = False
    helpfulness: int | None = None  # the author's rating, 1 to 5

    def __post_init__(self) -> None:
        if self.helpfulness is not None and not 1 <= self.helpfulness <= 5:
            raise ValueError("A helpfulness rating is 1 to 5.")

    @property
    def counts(self) -> bool:
        """Whether this assessment takes part in the submission's grade."""
        return not self.self_review and self.flag in {FlagStatus.NONE, FlagStatus.DISMISSED}


def counted(assessments: Iterable[PeerAssessment]) -> list[PeerAssessment]:
    """The assessments that count: peers' (not self-reviews), not flagged out."""
    return [assessment for assessment in assessments if assessment.counts]


def aggregate_criteria(
    rubric: Rubric,
    assessments: Sequence[PeerAssessment],
    method: Aggregation,
    *,
    weights: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """Each criterion's points across the counted assessments; empty if none count.

    ``weights`` (by assessment ref, default 1) are used by ``ACCURACY_WEIGHTED`` only;
    if they are all zero the plain mean is used, since no reviewer can be preferred.
    """
    used = counted(assessments)
    if not used:
        return {}
    result = {}
    for key in rubric.keys:
        values = [a.chosen[key] for a in used]
        if method is Aggregation.MEDIAN:
            result[key] = float(statistics.median(values))
        elif method is Aggregation.MEAN:
            result[key] = statistics.fmean(values)
        else:
            shares = [max(0.0, (weights or {}).get(a.ref, 1.0)) for a in used]
            total = sum(shares)
            result[key] = (
                sum(v * w for v, w in zip(values, shares, strict=True)) / total
                if total > 0
                else statistics.fmean(values)
            )
    return result


@dataclass(frozen=True)
class SubmissionScore:
    """A submission's grade from its peers: per-criterion points and the scaled score."""

    criteria: Mapping[str, float]
    points: float
    max_points: float
    score: float
    score_maximum: float
    counted: tuple[str, ...]  # refs of the assessments used


def score_submission(
    rubric: Rubric,
    assessments: Sequence[PeerAssessment],
    *,
    method: Aggregation,
    score_maximum: float,
    weights: Mapping[str, float] | None = None,
) -> SubmissionScore | None:
    """The submission's score on ``0..score_maximum``; None when no assessment counts."""
    criteria = aggregate_criteria(rubric, assessments, method, weights=weights)
    if not criteria:
        return None
    points = sum(criteria.values())
    score = min(score_maximum, max(0.0, points / rubric.max_points * score_maximum))
    return SubmissionScore(
        criteria=criteria,
        points=points,
        max_points=rubric.max_points,
        score=score,
        score_maximum=score_maximum,
        counted=tuple(a.ref for a in counted(assessments)),
    )


def _normalise(rubric: Rubric, chosen: Mapping[str, float]) -> dict[str, float]:
    return {
        c.key: (chosen[c.key] - c.min_points) / (c.max_points - c.min_points) * 100
        for c in rubric.criteria
    }


def _distance(
    one: Mapping[str, float],
    other: Mapping[str, float],
    variances: Mapping[str, float],
    factor: float,
) -> float:
    total = 0.0
    for key, value in one.items():
        delta = value - other[key]
        if delta:
            total += abs(delta) * delta**2 / (factor * max(variances[key], MIN_VARIANCE))
    # Rounded as Moodle does, so near-ties between "best" assessments stay ties.
    return round(total / len(one), 4)


def _variances(grades: Sequence[Mapping[str, float]]) -> dict[str, float]:
    keys = grades[0].keys()
    return {key: statistics.pvariance([g[key] for g in grades]) for key in keys}


def _accuracy(distance: float) -> float:
    return min(100.0, max(0.0, 100.0 - distance)) / 100.0


def assessment_accuracy(
    rubric: Rubric, assessments: Sequence[PeerAssessment], *, strictness: Strictness
) -> dict[str, float]:
    """Accuracy (0..1) of each counted assessment of one submission, by ref.

    A lone assessment is its own consensus and scores 1: there is no evidence against it.
    """
    used = counted(assessments)
    if not used:
        return {}
    grades = {a.ref: _normalise(rubric, a.chosen) for a in used}
    population = list(grades.values())
    mean = {key: statistics.fmean(g[key] for g in population) for key in rubric.keys}
    variances = _variances(population) if len(population) > 1 else dict.fromkeys(mean, 0.0)
    factor = strictness.factor
    to_mean = {ref: _distance(g, mean, variances, factor) for ref, g in grades.items()}
    closest = min(to_mean.values())
    best = [grades[ref] for ref, d in to_mean.items() if d == closest]
    return {
        ref: _accuracy(min(_distance(g, b, variances, factor) for b in best))
        for ref, g in grades.items()
    }


@dataclass(frozen=True)
class CohortAccuracy:
    """Accuracy of every counted assessment in an activity, and each reviewer's mean."""

    by_assessment: Mapping[str, float] = field(default_factory=dict)
    by_reviewer: Mapping[str, float] = field(default_factory=dict)


def cohort_accuracy(
    rubric: Rubric,
    submissions: Iterable[Sequence[PeerAssessment]],
    *,
    strictness: Strictness,
) -> CohortAccuracy:
    """Accuracy over an activity: each submission's assessments compared among themselves."""
    by_assessment: dict[str, float] = {}
    reviewer_of: dict[str, str] = {}
    for assessments in submissions:
        by_assessment.update(assessment_accuracy(rubric, assessments, strictness=strictness))
        reviewer_of.update({a.ref: a.reviewer for a in assessments})
    collected: dict[str, list[float]] = defaultdict(list)
    for ref, accuracy in by_assessment.items():
        collected[reviewer_of[ref]].append(accuracy)
    return CohortAccuracy(
        by_assessment=by_assessment,
        by_reviewer={reviewer: statistics.fmean(values) for reviewer, values in collected.items()},
    )


def reviewer_weights(
    assessments: Sequence[PeerAssessment], accuracy: CohortAccuracy
) -> dict[str, float]:
    """Weights for ``ACCURACY_WEIGHTED``: each assessment weighs its reviewer's mean accuracy
    over the whole activity, which one submission alone cannot tilt much."""
    return {a.ref: accuracy.by_reviewer.get(a.reviewer, 1.0) for a in assessments}


@dataclass(frozen=True)
class CalibrationExample:
    """An example the teacher graded (``reference``) and learners' attempts at it."""

    reference: Mapping[str, float]
    attempts: Mapping[str, Mapping[str, float]]  # learner -> chosen points


def calibration_accuracy(
    rubric: Rubric, examples: Iterable[CalibrationExample], *, strictness: Strictness
) -> dict[str, float]:
    """Each learner's mean accuracy over the examples they attempted.

    The teacher's assessment is the referential (the "best"); the variance per
    criterion is taken over the teacher's and all learners' assessments of the example.
    """
    collected: dict[str, list[float]] = defaultdict(list)
    for example in examples:
        if not example.attempts:
            continue
        reference = _normalise(rubric, example.reference)
        attempts = {who: _normalise(rubric, chosen) for who, chosen in example.attempts.items()}
        variances = _variances([reference, *attempts.values()])
        for who, grades in attempts.items():
            distance = _distance(grades, reference, variances, strictness.factor)
            collected[who].append(_accuracy(distance))
    return {who: statistics.fmean(values) for who, values in collected.items()}


def mean_helpfulness(assessments: Iterable[PeerAssessment]) -> float | None:
    """Authors' mean rating (1..5) of counted reviews, as 0..1; None without ratings."""
    ratings = [a.helpfulness for a in counted(assessments) if a.helpfulness is not None]
    if not ratings:
        return None
    return (statistics.fmean(ratings) - 1) / 4


def is_finite_score(value: float) -> bool:
    """Whether a number can be a score (finite and not negative)."""
    return math.isfinite(value) and value >= 0
