"""The grade distribution on the staff dashboard: scores binned, and the bar chart's
geometry (drawn as inline SVG by the template, so the page needs no script).

Bins split 0..maximum into equal ranges, each holding its lower bound and not its upper
one, except the last, which holds the maximum too: with 100 points and 10 bins a 20 is
in 20 to 30 and a 100 in 90 to 100. Scores outside 0..maximum (an override above a lowered
maximum) count in the nearest end bin rather than disappear.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_BINS = 10


@dataclass(frozen=True)
class GradeBin:
    low: float
    high: float
    count: int
    closed: bool  # whether ``high`` belongs to the bin (only the last)

    @property
    def label(self) -> str:
        return f"{self.low:g} to {self.high:g}"


def grade_bins(
    scores: Iterable[float], *, maximum: float, bins: int = DEFAULT_BINS
) -> list[GradeBin]:
    """``bins`` equal ranges over 0..``maximum`` and how many scores fall in each."""
    if not math.isfinite(maximum) or maximum <= 0:
        raise ValueError("A grade distribution needs a positive maximum.")
    if bins < 1:
        raise ValueError("A grade distribution needs at least one bin.")
    counts = [0] * bins
    for score in scores:
        # Rounded so 0.3 * 10 / 1 (2.9999…) lands in bin 3, as a teacher reads it.
        position = round(score * bins / maximum, 9)
        counts[min(bins - 1, max(0, math.floor(position)))] += 1
    width = maximum / bins
    return [
        GradeBin(
            low=round(index * width, 6),
            high=round((index + 1) * width, 6) if index < bins - 1 else maximum,
            count=count,
            closed=index == bins - 1,
        )
        for index, count in enumerate(counts)
    ]


@dataclass(frozen=True)
class ChartBar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class BarChart:
    """Everything the SVG needs, in its own units (the viewBox is width x height)."""

    width: float
    height: float
    top: float  # y of the plot's top (the highest tick)
    baseline: float  # y of the x axis
    left: float  # x of the y axis
    top_count: int  # the y axis' highest tick
    bars: tuple[ChartBar, ...]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def bar_chart(
    bins: list[GradeBin],
    *,
    width: float = 640,
    height: float = 260,
    left: float = 40,
    bottom: float = 40,
    top: float = 16,
    gap: float = 4,
) -> BarChart:
    """Bars for ``bins``, heights proportional to counts (an empty bin has height 0)."""
    top_count = max((item.count for item in bins), default=0) or 1
    plot_height = height - bottom - top
    slot = (width - left) / max(1, len(bins))
    baseline = height - bottom
    bars = []
    for index, item in enumerate(bins):
        bar_height = round(plot_height * item.count / top_count, 2)
        bars.append(
            ChartBar(
                label=item.label,
                count=item.count,
                x=round(left + index * slot + gap / 2, 2),
                y=round(baseline - bar_height, 2),
                width=round(slot - gap, 2),
                height=bar_height,
            )
        )
    return BarChart(
        width=width,
        height=height,
        top=top,
        baseline=baseline,
        left=left,
        top_count=top_count,
        bars=tuple(bars),
    )
