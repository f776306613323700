"""Grades are checked before they queue, and become AGS scores the LMS orders by time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lti_tool.domain.grading import ActivityProgress, Grade, GradingProgress, InvalidGrade

AT = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_a_full_grade_becomes_a_score() -> None:
    grade = Grade(8, 10, ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED, "Good")
    assert grade.score(user_sub="u1", at=AT) == {
        "userId": "u1",
        "scoreGiven": 8,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "comment": "Good",
        "timestamp": "2026-11-29T12:00:00.000000+00:00",
    }


def test_a_pending_grade_has_no_score_yet() -> None:
    grade = Grade(None, 10, ActivityProgress.SUBMITTED, GradingProgress.PENDING)
    body = grade.score(user_sub="u1", at=AT)
    assert "scoreGiven" not in body
    assert "scoreMaximum" not in body
    assert body["gradingProgress"] == "Pending"


@pytest.mark.parametrize(
    ("given", "maximum", "progress"),
    [
        (-1, 10, GradingProgress.FULLY_GRADED),
        (float("nan"), 10, GradingProgress.FULLY_GRADED),
        (1, 0, GradingProgress.FULLY_GRADED),
        (1, float("inf"), GradingProgress.FULLY_GRADED),
        (None, 10, GradingProgress.FULLY_GRADED),
    ],
)
def test_impossible_grades_are_refused(
    given: float | None, maximum: float, progress: GradingProgress
) -> None:
    with pytest.raises(InvalidGrade):
        Grade(given, maximum, ActivityProgress.COMPLETED, progress)


def test_extra_credit_is_allowed_and_naive_times_are_not() -> None:
    grade = Grade(12, 10, ActivityProgress.COMPLETED, GradingProgress.FULLY_GRADED)
    assert grade.score(user_sub="u", at=AT)["scoreGiven"] == 12
    with pytest.raises(InvalidGrade):
        grade.score(user_sub="u", at=datetime(2026, 1, 1))  # noqa: DTZ001 - on purpose
    with pytest.raises(InvalidGrade):
        Grade(1, 10, ActivityProgress.COMPLETED, GradingProgress.PENDING, "x" * 4001)
