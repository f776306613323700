"""The inputs and parts of a learner's peer review grade: policy, records, overrides."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from lti_tool.domain.grading import GradingProgress
from lti_tool.domain.peer_review.scoring import PeerAssessment
from lti_tool.domain.peer_review.settings import (
    Aggregation,
    GradeLines,
    PeerReviewSettings,
    ReviewGradeMode,
    Strictness,
)


class GradeComponent(enum.StrEnum):
    SUBMISSION = "submission"
    REVIEW = "review"
    FINAL = "final"  # the combined column; only with GradeLines.COMBINED


@dataclass(frozen=True)
class Override:
    """A grade set by staff, in the component's own points; recorded with who and when."""

    value: float
    by: str
    at: datetime
    reason: str = ""

    def __post_init__(self) -> None:
        if not math.isfinite(self.value) or self.value < 0:
            raise ValueError("An override is a number of at least 0.")
        if self.at.tzinfo is None:
            raise ValueError("An override's time needs a time zone.")


@dataclass(frozen=True)
class GradingPolicy:
    """The settings grading reads; :meth:`from_settings` takes them from an activity."""

    aggregation: Aggregation = Aggregation.MEDIAN
    strictness: Strictness = Strictness.FAIR
    review_grade: ReviewGradeMode = ReviewGradeMode.COMPLETION
    calibration_weight: float = 0.0
    helpfulness_weight: float = 0.0
    minimum_reviews: int = 1
    grade_lines: GradeLines = GradeLines.COMBINED
    submission_weight: float = 80.0
    review_weight: float = 20.0
    score_maximum: float = 100.0
    review_score_maximum: float = 10.0

    @classmethod
    def from_settings(cls, settings: PeerReviewSettings) -> GradingPolicy:
        """The grading part of an activity's settings."""
        return cls(
            **{name: getattr(settings, name) for name in cls.__dataclass_fields__},
        )


@dataclass(frozen=True)
class LearnerRecord:
    """What grading needs about one learner, loaded by the caller.

    ``reviews_received`` are the final assessments of the learner's submission (None if
    they submitted nothing), in the order the explanation numbers them; ``reviews_written``
    the final assessments they wrote; ``released`` whether their results may be shown.
    """

    learner: str
    reviews_received: Sequence[PeerAssessment] | None
    reviews_written: Sequence[PeerAssessment]
    reviews_assigned: int
    released: bool
    calibration: float | None = None
    overrides: Mapping[GradeComponent, Override] = field(default_factory=dict)


@dataclass(frozen=True)
class ComponentGrade:
    """One component; ``score`` is set only when fully graded, ``provisional`` for staff."""

    score: float | None
    maximum: float
    progress: GradingProgress
    source: str  # "peers", "reviewing", "override", "no-submission", "pending", "staff"
    provisional: float | None = None
    override: Override | None = None
