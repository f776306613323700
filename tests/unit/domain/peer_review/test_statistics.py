"""Criterion statistics summarise what peers gave, per criterion and level."""

from __future__ import annotations

from lti_tool.domain.peer_review.rubric_text import parse_rubric_text
from lti_tool.domain.peer_review.settings_form import SAMPLE_RUBRIC_TEXT
from lti_tool.domain.peer_review.statistics import criterion_statistics

RUBRIC = parse_rubric_text(SAMPLE_RUBRIC_TEXT)


def test_each_criterion_is_summarised() -> None:
    argument, clarity = criterion_statistics(
        RUBRIC,
        [
            {"argument": 4, "clarity": 2},
            {"argument": 2, "clarity": 2},
            {"argument": 4},  # a criterion left out does not count as zero
            {"unknown": 3},
        ],
    )
    assert (argument.count, argument.mean, argument.median) == (3, 3.33, 4)
    assert (argument.lowest, argument.highest, argument.maximum) == (2, 4, 4)
    assert argument.levels == (("Missing", 0), ("Weak", 1), ("Strong", 2))
    assert (clarity.count, clarity.mean) == (2, 2)


def test_no_assessments_yet() -> None:
    argument, _clarity = criterion_statistics(RUBRIC, [])
    assert argument.count == 0
    assert argument.mean is None
    assert all(count == 0 for _title, count in argument.levels)
