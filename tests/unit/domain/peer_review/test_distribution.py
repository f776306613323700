"""Grade distribution: binning edges, and the chart's bars."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.peer_review.distribution import bar_chart, grade_bins


def test_bins_hold_their_lower_bound_and_the_last_holds_the_maximum() -> None:
    found = grade_bins([0, 9.99, 10, 20, 0.3 * 100, 99.5, 100], maximum=100)
    assert [item.label for item in found][:3] == ["0 to 10", "10 to 20", "20 to 30"]
    assert found[-1].label == "90 to 100"
    assert [item.count for item in found] == [2, 1, 1, 1, 0, 0, 0, 0, 0, 2]
    assert found[-1].closed
    assert not found[0].closed


def test_odd_maxima_and_scores_outside_the_range() -> None:
    found = grade_bins([-1, 7, 7.5, 12], maximum=7.5, bins=3)
    assert [item.label for item in found] == ["0 to 2.5", "2.5 to 5", "5 to 7.5"]
    assert [item.count for item in found] == [1, 0, 3]
    with pytest.raises(ValueError, match="positive maximum"):
        grade_bins([], maximum=0)
    with pytest.raises(ValueError, match="one bin"):
        grade_bins([], maximum=10, bins=0)


@given(st.lists(st.floats(0, 50), max_size=60), st.integers(1, 12))
def test_every_score_is_counted_once(scores: list[float], bins: int) -> None:
    found = grade_bins(scores, maximum=50, bins=bins)
    assert len(found) == bins
    assert sum(item.count for item in found) == len(scores)
    assert found[0].low == 0
    assert found[-1].high == 50


def test_bars_are_proportional_and_stay_inside_the_plot() -> None:
    chart = bar_chart(grade_bins([5, 15, 15, 15, 95], maximum=100), width=640, height=260)
    assert len(chart.bars) == 10
    assert chart.total == 5
    assert chart.top_count == 3
    tallest = chart.bars[1]
    assert tallest.height == pytest.approx(260 - 40 - 16)
    assert tallest.y == pytest.approx(16)
    assert chart.bars[0].height == pytest.approx(tallest.height / 3, abs=0.01)
    assert chart.bars[2].height == 0
    assert chart.bars[2].y == chart.baseline
    for bar in chart.bars:
        assert chart.left <= bar.x
        assert bar.x + bar.width <= chart.width
    assert bar_chart(grade_bins([], maximum=10)).top_count == 1  # no division by zero
