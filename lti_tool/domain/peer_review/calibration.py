"""Calibration: learners first assess examples the teacher graded, then review peers.

The rules, after Moodle Workshop's example assessments:

* An example is *ready* once the teacher chose a level for every criterion of the
  activity's rubric; learners only ever see ready examples.
* With calibration on, a learner may review (peer reviews and self-review alike) once
  they submitted an assessment of ``required`` ready examples (the setting
  ``calibration_examples``; any of them, in any order).
* Nobody is blocked forever: while fewer than ``required`` examples are ready, the gate
  is open (learners are told so, and may practise on those that are ready); and a learner
  who started reviewing keeps going even if the teacher readies more examples later.
* Once a learner assessed an example, its levels are fixed and it cannot be removed:
  it would change what they were compared with, and could close the gate again.
* A learner's calibration accuracy is the mean, over their submitted attempts at ready
  examples, of Moodle's comparison with the teacher's assessment
  (:func:`~lti_tool.domain.peer_review.scoring.calibration_accuracy`) at the activity's
  strictness.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from lti_tool.domain.peer_review.rubric import Rubric
from lti_tool.domain.peer_review.scoring import CalibrationExample, calibration_accuracy
from lti_tool.domain.peer_review.settings import Strictness

MAX_EXAMPLES = 20
TITLE_LIMIT = 255
EXPLANATION_LIMIT = 8000


class GateState(enum.StrEnum):
    """Why a learner may review, or why not yet."""

    OFF = "off"  # the activity has no calibration
    DONE = "done"  # they assessed enough examples
    TO_DO = "to-do"  # blocked: examples to assess first
    TOO_FEW_EXAMPLES = "too-few-examples"  # the teacher has not readied enough: open
    ALREADY_REVIEWING = "already-reviewing"  # started before examples were ready: open


@dataclass(frozen=True)
class CalibrationGate:
    """Whether a learner may review yet, and what the calibration page tells them."""

    state: GateState
    required: int = 0
    ready: int = 0
    assessed: int = 0

    @property
    def open(self) -> bool:
        return self.state is not GateState.TO_DO

    @property
    def remaining(self) -> int:
        """Examples still to assess before reviewing (0 once the gate is open)."""
        return 0 if self.open else self.required - self.assessed


def calibration_gate(
    *, enabled: bool, required: int, ready: int, assessed: int, started_reviewing: bool
) -> CalibrationGate:
    """The gate before a learner's reviews.

    ``ready`` counts the teacher's ready examples, ``assessed`` the learner's submitted
    attempts at ready ones, ``started_reviewing`` whether they saved or submitted any
    review already.
    """
    if not enabled:
        return CalibrationGate(GateState.OFF)
    counts = {"required": required, "ready": ready, "assessed": assessed}
    if assessed >= required:
        return CalibrationGate(GateState.DONE, **counts)
    if ready < required:
        return CalibrationGate(GateState.TOO_FEW_EXAMPLES, **counts)
    if started_reviewing:
        return CalibrationGate(GateState.ALREADY_REVIEWING, **counts)
    return CalibrationGate(GateState.TO_DO, **counts)


def reference_problems(rubric: Rubric, levels: Mapping[str, float]) -> dict[str, str]:
    """Mistakes in the teacher's assessment of an example, by criterion key: every
    criterion needs one of its levels (a partial assessment is kept, but not ready)."""
    problems = {
        key: "This criterion is not part of the rubric." for key in levels if key not in rubric.keys
    }
    for criterion in rubric.criteria:
        points = levels.get(criterion.key)
        if points is None:
            problems[criterion.key] = "Choose a level."
        elif criterion.level_for(points) is None:
            problems[criterion.key] = "Choose one of the offered levels."
    return problems


def is_ready(rubric: Rubric, levels: Mapping[str, float]) -> bool:
    """Whether the teacher's assessment covers the current rubric (the rubric may have
    changed since, before reviewing began)."""
    return not reference_problems(rubric, levels)


def _fits(rubric: Rubric, levels: Mapping[str, float]) -> bool:
    return set(levels) == set(rubric.keys) and is_ready(rubric, levels)


def learner_accuracy(
    rubric: Rubric,
    references: Mapping[int, Mapping[str, float]],
    attempts: Iterable[tuple[int, str, Mapping[str, float]]],
    *,
    strictness: Strictness,
) -> dict[str, float]:
    """Each learner's calibration accuracy (0..1) by learner.

    ``references`` are the teacher's levels by example; ``attempts`` the submitted
    ``(example, learner, levels)``. Examples that are not ready, and attempts that no
    longer fit the rubric, are left out rather than guessed at.
    """
    by_example: dict[int, dict[str, Mapping[str, float]]] = {}
    for example, learner, levels in attempts:
        reference = references.get(example)
        if reference is not None and _fits(rubric, reference) and _fits(rubric, levels):
            by_example.setdefault(example, {})[learner] = levels
    return calibration_accuracy(
        rubric,
        (
            CalibrationExample(reference=references[example], attempts=found)
            for example, found in by_example.items()
        ),
        strictness=strictness,
    )


def calibration_open(*, now: datetime, reviews_due: datetime | None, released: bool) -> bool:
    """Learners may assess examples until reviews are due and results are not released:
    later attempts would change grades already sent."""
    return not released and (reviews_due is None or now <= reviews_due)


def example_problems(*, title: str, link_url: str | None) -> dict[str, str]:
    """Mistakes in an example's wording, by form field."""
    problems: dict[str, str] = {}
    if not title.strip():
        problems["title"] = "Give the example a title."
    elif len(title) > TITLE_LIMIT:
        problems["title"] = f"A title can have at most {TITLE_LIMIT} characters."
    if link_url:
        if not link_url.startswith(("https://", "http://")):
            problems["link_url"] = "A link must start with https:// or http://."
        elif len(link_url) > 2048:
            problems["link_url"] = "That link is too long."
    return problems


def change_refusal(*, attempts: int, removing: bool, levels_changed: bool) -> str | None:
    """Why staff may not make this change to an example, or None when they may."""
    if attempts == 0 or not (removing or levels_changed):
        return None
    who = "1 learner has" if attempts == 1 else f"{attempts} learners have"
    what = "removed" if removing else "given other levels"
    return (
        f"{who} assessed this example and seen your assessment, so it can no longer be "
        f"{what}. You can still change its wording and explanation, or add another example."
    )
