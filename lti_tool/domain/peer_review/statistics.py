"""Rubric criterion statistics for the staff dashboard: how peers used each criterion."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lti_tool.domain.peer_review.rubric import Rubric


@dataclass(frozen=True)
class CriterionStatistics:
    key: str
    title: str
    maximum: float
    count: int
    mean: float | None
    median: float | None
    lowest: float | None
    highest: float | None
    # How many assessments chose each level, lowest level first.
    levels: tuple[tuple[str, int], ...]


def criterion_statistics(
    rubric: Rubric, assessments: Iterable[Mapping[str, float]]
) -> list[CriterionStatistics]:
    """Per criterion of ``rubric``: the points final assessments gave, summarised."""
    given: dict[str, list[float]] = {criterion.key: [] for criterion in rubric.criteria}
    for chosen in assessments:
        for key, points in chosen.items():
            if key in given:
                given[key].append(float(points))
    found = []
    for criterion in rubric.criteria:
        values = given[criterion.key]
        found.append(
            CriterionStatistics(
                key=criterion.key,
                title=criterion.title,
                maximum=criterion.max_points,
                count=len(values),
                mean=round(statistics.fmean(values), 2) if values else None,
                median=statistics.median(values) if values else None,
                lowest=min(values) if values else None,
                highest=max(values) if values else None,
                levels=tuple(
                    (level.title, sum(1 for value in values if value == level.points))
                    for level in criterion.levels
                ),
            )
        )
    return found
