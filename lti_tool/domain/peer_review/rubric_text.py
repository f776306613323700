"""The textarea form of a rubric: what teachers write, and what we show them to edit.

One criterion per block: a title line (with optional ``[comment required]``,
``[comment optional]``, ``[no comment]`` or ``[key argument]`` options, comma-separated),
description lines, then one line per level: ``- points | title | descriptor``. Levels
may be written in any order; they are stored from the fewest points to the most. Lines
starting with ``#`` are notes and are ignored; a backslash at the start of a line keeps
it from being read as a level or a note.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from lti_tool.domain.peer_review.rubric import (
    CommentRule,
    Criterion,
    Level,
    Rubric,
    RubricInvalid,
    criterion_problems,
    level_problems,
    slug,
)

# The last bracketed group of a criterion line holds its options: "[comment required]".
_OPTIONS = re.compile(r"^(?P<title>.*?)\s*\[(?P<options>[^\[\]]*)\]$")
# Lines the parser would read as something else are escaped with a backslash.
_ESCAPED_STARTS = ("-", "#", "\\")
_LEVEL_HINT = "Write a level as '- points | title | descriptor'"
_COMMENT_OPTIONS = {
    "comment required": CommentRule.REQUIRED,
    "comment optional": CommentRule.OPTIONAL,
    "comment none": CommentRule.NONE,
    "no comment": CommentRule.NONE,
}


@dataclass
class _Draft:
    line: int
    title: str
    comment: CommentRule = CommentRule.OPTIONAL
    key: str | None = None
    description: list[str] = field(default_factory=list)
    levels: list[tuple[int, Level]] = field(default_factory=list)


def parse_rubric_text(text: str) -> Rubric:
    """The rubric a teacher wrote; :class:`RubricInvalid` lists every mistake by line."""
    problems: list[str] = []
    drafts: list[_Draft] = []
    after_blank = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            after_blank = True
            continue
        if line.startswith("#"):
            continue
        if line.startswith("-"):
            if not drafts:
                problems.append(f"Line {number}: A level needs a criterion line above it.")
            else:
                level = _parse_level(number, line, problems)
                if level is not None:
                    drafts[-1].levels.append((number, level))
        else:
            line = line.removeprefix("\\")
            # A text line starts a new criterion unless it continues a description.
            if not drafts or drafts[-1].levels or after_blank:
                drafts.append(_parse_header(number, line, problems))
            else:
                drafts[-1].description.append(line)
        after_blank = False
    if not drafts and not problems:
        raise RubricInvalid(["The rubric is empty: write at least one criterion with its levels."])
    criteria = _build(drafts, problems)
    if problems:
        # Reported in the order the teacher reads the text.
        problems.sort(key=lambda problem: int(problem.split()[1].rstrip(":")))
        raise RubricInvalid(problems)
    return Rubric(tuple(criteria))


def _parse_header(number: int, line: str, problems: list[str]) -> _Draft:
    draft = _Draft(line=number, title=line)
    match = _OPTIONS.match(line)
    if match is None:
        return draft
    draft.title = match["title"]
    for option in match["options"].replace(";", ",").split(","):
        words = " ".join(option.lower().split())
        if words in _COMMENT_OPTIONS:
            draft.comment = _COMMENT_OPTIONS[words]
        elif words.startswith("key "):
            draft.key = words.removeprefix("key ").strip()
        elif words:
            problems.append(
                f"Line {number}: Unknown option {option.strip()!r}; use 'comment required', "
                "'comment optional', 'no comment' or 'key some-name'."
            )
    return draft


def _parse_level(number: int, line: str, problems: list[str]) -> Level | None:
    parts = [part.strip() for part in line[1:].split("|", 2)]
    if len(parts) < 2:
        problems.append(f"Line {number}: {_LEVEL_HINT}.")
        return None
    try:
        points = float(parts[0])
    except ValueError:
        problems.append(f"Line {number}: {parts[0]!r} is not a number of points. {_LEVEL_HINT}.")
        return None
    if not math.isfinite(points):
        problems.append(f"Line {number}: Points must be a finite number.")
        return None
    level = Level(points, parts[1], parts[2] if len(parts) > 2 else "")
    problems.extend(f"Line {number}: {problem}" for problem in level_problems(level))
    return level


def _build(drafts: list[_Draft], problems: list[str]) -> list[Criterion]:
    criteria = []
    keys: dict[str, int] = {}
    for index, draft in enumerate(drafts, start=1):
        where = f"Line {draft.line} ({draft.title or 'untitled criterion'!r})"
        seen: dict[float, int] = {}
        for line, level in draft.levels:
            if level.points in seen:
                problems.append(
                    f"Line {line}: {level.points:g} points is already used by the level on "
                    f"line {seen[level.points]}; each level needs different points."
                )
            seen.setdefault(level.points, line)
        levels = sorted((level for _line, level in draft.levels), key=lambda lv: lv.points)
        criterion = Criterion(
            key=draft.key if draft.key is not None else _default_key(draft.title, index),
            title=draft.title,
            description="\n".join(draft.description),
            levels=tuple(levels),
            comment=draft.comment,
        )
        problems.extend(
            f"{where}: {problem}"
            for problem in criterion_problems(criterion)
            if not problem.startswith("Each level needs different points")
        )
        if criterion.key in keys:
            problems.append(
                f"{where}: The key {criterion.key!r} is used by the criterion on line "
                f"{keys[criterion.key]}; give one of them another title or a '[key ...]'."
            )
        keys.setdefault(criterion.key, draft.line)
        criteria.append(criterion)
    return criteria


def _default_key(title: str, index: int) -> str:
    return slug(title) or f"criterion-{index}"


def format_rubric_text(rubric: Rubric) -> str:
    """The text form of a rubric; :func:`parse_rubric_text` reads it back unchanged."""
    blocks = []
    for index, criterion in enumerate(rubric.criteria, start=1):
        options = []
        if criterion.key != _default_key(criterion.title, index):
            options.append(f"key {criterion.key}")
        if criterion.comment is CommentRule.REQUIRED:
            options.append("comment required")
        elif criterion.comment is CommentRule.NONE:
            options.append("no comment")
        elif options or _OPTIONS.match(criterion.title):
            # A title ending in brackets would otherwise be read as options.
            options.append("comment optional")
        header = _escape(criterion.title) + (f" [{', '.join(options)}]" if options else "")
        lines = [header, *(_escape(line) for line in criterion.description.splitlines())]
        for level in criterion.levels:
            text = f"- {_points(level.points)} | {level.title}"
            lines.append(f"{text} | {level.descriptor}" if level.descriptor else text)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _escape(line: str) -> str:
    return "\\" + line if line.startswith(_ESCAPED_STARTS) else line


def _points(points: float) -> str:
    return str(int(points)) if points.is_integer() else repr(points)
