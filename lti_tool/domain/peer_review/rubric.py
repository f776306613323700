"""Rubrics: criteria with ordered levels, their JSON form and the teacher's text form.

A rubric is checked whole when it is built, so every other module can trust it: at
least one criterion, unique keys, two or more levels per criterion with distinct,
non-negative points in ascending order. Teachers write rubrics in a textarea::

    Argument [comment required]
    Is the main claim clear and supported?
    - 0 | Missing | No claim can be found
    - 2 | Weak | A claim, little support

and :func:`parse_rubric_text` reports every mistake with its line number.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

RUBRIC_FORMAT_VERSION = 1
MAX_CRITERIA = 30
MAX_LEVELS = 10
KEY_LIMIT = 40
CRITERION_TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 2000
LEVEL_TITLE_LIMIT = 100
DESCRIPTOR_LIMIT = 1000
POINTS_LIMIT = 1000.0
ASSESSMENT_COMMENT_LIMIT = 4000

_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*")


class CommentRule(enum.StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    NONE = "none"


class RubricInvalid(ValueError):
    """A rubric with mistakes; ``problems`` lists each one as a sentence."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Level:
    """One level of a criterion; whitespace in titles and descriptors is normalised."""

    points: float
    title: str
    descriptor: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "points", float(self.points))
        object.__setattr__(self, "title", _one_line(self.title))
        object.__setattr__(self, "descriptor", _one_line(self.descriptor))


@dataclass(frozen=True)
class Criterion:
    """A criterion; ``levels`` run from the fewest points to the most."""

    key: str
    title: str
    description: str
    levels: tuple[Level, ...]
    comment: CommentRule = CommentRule.OPTIONAL

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.key.strip())
        object.__setattr__(self, "title", _one_line(self.title))
        # Blank lines would end the criterion in the text form, so they are dropped.
        lines = (line.strip() for line in self.description.splitlines())
        object.__setattr__(self, "description", "\n".join(line for line in lines if line))
        object.__setattr__(self, "levels", tuple(self.levels))
        object.__setattr__(self, "comment", CommentRule(self.comment))

    @property
    def min_points(self) -> float:
        return self.levels[0].points

    @property
    def max_points(self) -> float:
        return self.levels[-1].points

    def level_for(self, points: float) -> Level | None:
        """The level worth exactly ``points``, if there is one."""
        return next((level for level in self.levels if level.points == points), None)


@dataclass(frozen=True)
class Rubric:
    """A checked rubric; building one with mistakes raises :class:`RubricInvalid`."""

    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "criteria", tuple(self.criteria))
        problems = rubric_problems(self.criteria)
        if problems:
            raise RubricInvalid(problems)

    @property
    def max_points(self) -> float:
        return sum(criterion.max_points for criterion in self.criteria)

    @property
    def min_points(self) -> float:
        return sum(criterion.min_points for criterion in self.criteria)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(criterion.key for criterion in self.criteria)

    def criterion(self, key: str) -> Criterion:
        """The criterion with this key; KeyError if there is none."""
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise KeyError(key)

    def structure(self) -> tuple[tuple[str, CommentRule, tuple[float, ...]], ...]:
        """What assessments depend on (keys, comment rules, points), without the wording."""
        return tuple(
            (c.key, c.comment, tuple(level.points for level in c.levels)) for c in self.criteria
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe, versioned form, for storage and the course's rubric library."""
        return {
            "version": RUBRIC_FORMAT_VERSION,
            "criteria": [
                {
                    "key": c.key,
                    "title": c.title,
                    "description": c.description,
                    "comment": c.comment.value,
                    "levels": [
                        {
                            "points": level.points,
                            "title": level.title,
                            "descriptor": level.descriptor,
                        }
                        for level in c.levels
                    ],
                }
                for c in self.criteria
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rubric:
        """The rubric :meth:`to_dict` stored; :class:`RubricInvalid` if it is not one."""
        if data.get("version") != RUBRIC_FORMAT_VERSION:
            raise RubricInvalid([f"Unknown rubric format version {data.get('version')!r}."])
        try:
            criteria = tuple(
                Criterion(
                    key=str(item["key"]),
                    title=str(item["title"]),
                    description=str(item.get("description", "")),
                    comment=CommentRule(item.get("comment", CommentRule.OPTIONAL.value)),
                    levels=tuple(
                        Level(float(level["points"]), str(level["title"]), str(level["descriptor"]))
                        for level in item["levels"]
                    ),
                )
                for item in data["criteria"]
            )
        except (KeyError, TypeError, ValueError) as error:
            raise RubricInvalid([f"The stored rubric is damaged ({error!r})."]) from None
        return cls(criteria)


def level_problems(level: Level) -> list[str]:
    """What is wrong with one level, as sentences without a location."""
    problems = []
    if not math.isfinite(level.points) or level.points < 0:
        problems.append("Points must be a number of at least 0.")
    elif level.points > POINTS_LIMIT:
        problems.append(f"Points can be at most {POINTS_LIMIT:g}.")
    if not level.title:
        problems.append("A level needs a title.")
    elif len(level.title) > LEVEL_TITLE_LIMIT:
        problems.append(f"A level title can have at most {LEVEL_TITLE_LIMIT} characters.")
    elif "|" in level.title:
        problems.append("A level title cannot contain '|'.")
    if len(level.descriptor) > DESCRIPTOR_LIMIT:
        problems.append(f"A level descriptor can have at most {DESCRIPTOR_LIMIT} characters.")
    return problems


def criterion_problems(criterion: Criterion) -> list[str]:
    """What is wrong with a criterion itself (not its levels one by one)."""
    problems = []
    if not _KEY.fullmatch(criterion.key) or len(criterion.key) > KEY_LIMIT:
        problems.append(
            f"The key {criterion.key!r} must be 1 to {KEY_LIMIT} lowercase letters, digits, "
            "'-' or '_'."
        )
    if not criterion.title:
        problems.append("A criterion needs a title.")
    elif len(criterion.title) > CRITERION_TITLE_LIMIT:
        problems.append(f"A title can have at most {CRITERION_TITLE_LIMIT} characters.")
    if len(criterion.description) > DESCRIPTION_LIMIT:
        problems.append(f"A description can have at most {DESCRIPTION_LIMIT} characters.")
    points = [level.points for level in criterion.levels]
    if len(points) < 2:
        problems.append("A criterion needs at least 2 levels.")
    elif len(points) > MAX_LEVELS:
        problems.append(f"A criterion can have at most {MAX_LEVELS} levels.")
    if len(set(points)) != len(points):
        problems.append("Each level needs different points.")
    elif points != sorted(points):
        problems.append("Levels must run from the fewest points to the most.")
    return problems


def rubric_problems(criteria: tuple[Criterion, ...]) -> list[str]:
    """Every mistake in these criteria, each naming the criterion it is about."""
    problems = []
    if not criteria:
        problems.append("A rubric needs at least one criterion.")
    if len(criteria) > MAX_CRITERIA:
        problems.append(f"A rubric can have at most {MAX_CRITERIA} criteria.")
    seen: set[str] = set()
    for number, criterion in enumerate(criteria, start=1):
        where = f"Criterion {number} ({criterion.title or criterion.key!r})"
        found = criterion_problems(criterion)
        for level in criterion.levels:
            found.extend(f"Level {level.points:g}: {p}" for p in level_problems(level))
        if criterion.key in seen:
            found.append(f"The key {criterion.key!r} is used by an earlier criterion.")
        seen.add(criterion.key)
        problems.extend(f"{where}: {problem}" for problem in found)
    return problems


def slug(title: str) -> str:
    """The key a criterion gets from its title when the teacher gives none."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:KEY_LIMIT].strip("-")


@dataclass(frozen=True)
class AssessmentProblem:
    """A mistake in an assessment form; ``criterion`` is None for the form as a whole."""

    criterion: str | None
    message: str


@dataclass(frozen=True)
class AssessmentScore:
    """Points given by one complete assessment, and the same as a share of the maximum."""

    points: float
    max_points: float

    @property
    def normalised(self) -> float:
        return self.points / self.max_points


def check_assessment(
    rubric: Rubric,
    chosen: Mapping[str, float],
    comments: Mapping[str, str],
    *,
    final: bool,
) -> list[AssessmentProblem]:
    """Mistakes in a reviewer's form; a draft may be partial, a final one may not."""
    problems = [
        AssessmentProblem(key, "This criterion is not part of the rubric.")
        for key in sorted(set(chosen) | set(comments))
        if key not in rubric.keys
    ]
    for criterion in rubric.criteria:
        points = chosen.get(criterion.key)
        comment = (comments.get(criterion.key) or "").strip()
        if points is None:
            if final:
                problems.append(AssessmentProblem(criterion.key, "Choose a level."))
        elif criterion.level_for(points) is None:
            problems.append(AssessmentProblem(criterion.key, "Choose one of the offered levels."))
        if criterion.comment is CommentRule.NONE and comment:
            problems.append(AssessmentProblem(criterion.key, "This criterion takes no comment."))
        elif len(comment) > ASSESSMENT_COMMENT_LIMIT:
            problems.append(
                AssessmentProblem(
                    criterion.key,
                    f"A comment can have at most {ASSESSMENT_COMMENT_LIMIT} characters.",
                )
            )
        elif final and criterion.comment is CommentRule.REQUIRED and not comment:
            problems.append(AssessmentProblem(criterion.key, "A comment is required here."))
    return problems


def assessment_score(rubric: Rubric, chosen: Mapping[str, float]) -> AssessmentScore:
    """The points of a complete assessment; ValueError if a criterion is unscored or off-level."""
    total = 0.0
    for criterion in rubric.criteria:
        points = chosen.get(criterion.key)
        if points is None or criterion.level_for(points) is None:
            raise ValueError(f"The assessment has no valid level for {criterion.key!r}.")
        total += points
    return AssessmentScore(points=total, max_points=rubric.max_points)
