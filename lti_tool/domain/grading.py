"""Grades as the LMS gradebook receives them (an AGS score), checked before they queue."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

COMMENT_LIMIT = 4000


class ActivityProgress(enum.StrEnum):
    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


class GradingProgress(enum.StrEnum):
    """Where grading stands: peer review moves from Pending (reviews under way) through
    PendingManual (waiting for staff) to FullyGraded."""

    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"


class InvalidGrade(ValueError):
    """A grade the gradebook must not receive; the message says why."""


@dataclass(frozen=True)
class Grade:
    score_given: float | None
    score_maximum: float
    activity_progress: ActivityProgress
    grading_progress: GradingProgress
    comment: str | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.score_maximum) or self.score_maximum <= 0:
            raise InvalidGrade("The maximum score must be a positive number.")
        if self.score_given is not None and (
            not math.isfinite(self.score_given) or self.score_given < 0
        ):
            raise InvalidGrade("A score must be a number of at least 0.")
        if self.score_given is None and self.grading_progress is GradingProgress.FULLY_GRADED:
            raise InvalidGrade("A fully graded result needs a score.")
        if self.comment is not None and len(self.comment) > COMMENT_LIMIT:
            raise InvalidGrade(f"A comment can have at most {COMMENT_LIMIT} characters.")

    def score(self, *, user_sub: str, at: datetime) -> dict[str, Any]:
        """The AGS score body; ``at`` must be timezone-aware (the LMS orders by it)."""
        if at.tzinfo is None:
            raise InvalidGrade("A score's timestamp needs a time zone.")
        body: dict[str, Any] = {
            "userId": user_sub,
            "activityProgress": self.activity_progress.value,
            "gradingProgress": self.grading_progress.value,
            "timestamp": at.isoformat(timespec="microseconds"),
        }
        if self.score_given is not None:
            body["scoreGiven"] = self.score_given
            body["scoreMaximum"] = self.score_maximum
        if self.comment:
            body["comment"] = self.comment
        return body
