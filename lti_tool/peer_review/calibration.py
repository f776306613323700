"""Calibration examples of a peer review activity, as staff keep them, and the learners'
calibration accuracy that grading feeds into the review grade.

The rules are in :mod:`lti_tool.domain.peer_review.calibration`; learners' side (the
gate, attempts, the comparison) is in :mod:`lti_tool.peer_review.calibration_attempts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from lti_tool.domain.errors import BadRequest, NotFound, PeerlearnError
from lti_tool.domain.peer_review import calibration as rules
from lti_tool.domain.peer_review.grade_model import LearnerRecord
from lti_tool.domain.peer_review.rubric import Rubric
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.persistence.peer_review_models import CalibrationAttempt, CalibrationExample


class ExampleInvalid(BadRequest):
    code = "example_invalid"
    title = "This example is not complete yet"
    advice = "Correct the marked fields and save again."

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


class ExampleLocked(PeerlearnError):
    code = "example_locked"
    status = 409
    title = "Learners have assessed this example already"
    advice = "Change its wording or explanation, or add another example instead."


@dataclass(frozen=True)
class Example:
    """A calibration example with the teacher's assessment, as staff see it."""

    id: int
    position: int
    title: str
    text_html: str | None
    link_url: str | None
    levels: Mapping[str, float]
    explanation: str | None
    ready: bool
    attempts: int  # learners' submitted assessments of it


def _levels(raw: Mapping[str, Any] | None) -> dict[str, float]:
    return {key: float(value) for key, value in (raw or {}).items()}


def examples(connection: Connection, activity_id: int, rubric: Rubric) -> list[Example]:
    """The activity's examples in the order learners see them."""
    attempts = dict(
        connection.execute(
            select(CalibrationAttempt.example_id, func.count())
            .where(
                CalibrationAttempt.activity_id == activity_id,
                CalibrationAttempt.submitted_at.is_not(None),
            )
            .group_by(CalibrationAttempt.example_id)
        ).all()
    )
    rows = connection.execute(
        select(CalibrationExample.__table__)
        .where(CalibrationExample.activity_id == activity_id)
        .order_by(CalibrationExample.position, CalibrationExample.id)
    ).all()
    return [
        Example(
            id=row.id,
            position=row.position,
            title=row.title,
            text_html=row.text_html,
            link_url=row.link_url,
            levels=_levels(row.scores),
            explanation=row.explanation,
            ready=rules.is_ready(rubric, _levels(row.scores)),
            attempts=int(attempts.get(row.id, 0)),
        )
        for row in rows
    ]


def example(connection: Connection, activity_id: int, example_id: int, rubric: Rubric) -> Example:
    """One example of this activity, or a 404 (another activity's is as good as absent)."""
    for found in examples(connection, activity_id, rubric):
        if found.id == example_id:
            return found
    raise NotFound("There is no such calibration example here.", code="example_not_found")


def add_example(
    connection: Connection,
    *,
    activity_id: int,
    title: str,
    text_html: str | None,
    link_url: str | None,
    by: int,
    now: datetime,
) -> int:
    """A new example at the end of the list (not ready until staff assess it)."""
    problems = rules.example_problems(title=title, link_url=link_url)
    if problems:
        raise ExampleInvalid(problems)
    count, last = connection.execute(
        select(func.count(), func.max(CalibrationExample.position)).where(
            CalibrationExample.activity_id == activity_id
        )
    ).one()
    if count >= rules.MAX_EXAMPLES:
        raise BadRequest(
            f"An activity can have at most {rules.MAX_EXAMPLES} calibration examples.",
            code="too_many_examples",
        )
    return int(
        connection.execute(
            insert(CalibrationExample)
            .values(
                activity_id=activity_id,
                position=0 if last is None else last + 1,
                title=title.strip(),
                text_html=text_html,
                link_url=link_url,
                scores={},
                created_by=by,
                created_at=now,
                updated_at=now,
            )
            .returning(CalibrationExample.id)
        ).scalar_one()
    )


def edit_wording(
    connection: Connection,
    *,
    activity_id: int,
    example: Example,
    title: str,
    text_html: str | None,
    link_url: str | None,
    now: datetime,
) -> None:
    """New title, link and (when given) text; ``text_html`` None keeps the text."""
    problems = rules.example_problems(title=title, link_url=link_url)
    if problems:
        raise ExampleInvalid(problems)
    values: dict[str, Any] = {"title": title.strip(), "link_url": link_url, "updated_at": now}
    if text_html is not None:
        values["text_html"] = text_html
    connection.execute(
        update(CalibrationExample)
        .where(CalibrationExample.id == example.id, CalibrationExample.activity_id == activity_id)
        .values(**values)
    )


def assess_example(
    connection: Connection,
    *,
    activity_id: int,
    example: Example,
    rubric: Rubric,
    levels: Mapping[str, float],
    explanation: str,
    now: datetime,
) -> None:
    """The teacher's levels and explanation; levels are fixed once learners assessed it."""
    problems = rules.reference_problems(rubric, levels)
    if len(explanation) > rules.EXPLANATION_LIMIT:
        problems["explanation"] = (
            f"An explanation can have at most {rules.EXPLANATION_LIMIT} characters."
        )
    if problems:
        raise ExampleInvalid(problems)
    refusal = rules.change_refusal(
        attempts=example.attempts, removing=False, levels_changed=dict(levels) != example.levels
    )
    if refusal:
        raise ExampleLocked(refusal)
    connection.execute(
        update(CalibrationExample)
        .where(CalibrationExample.id == example.id, CalibrationExample.activity_id == activity_id)
        .values(scores=dict(levels), explanation=explanation.strip() or None, updated_at=now)
    )


def remove_example(connection: Connection, *, activity_id: int, example: Example) -> None:
    refusal = rules.change_refusal(attempts=example.attempts, removing=True, levels_changed=False)
    if refusal:
        raise ExampleLocked(refusal)
    connection.execute(
        delete(CalibrationExample).where(
            CalibrationExample.id == example.id, CalibrationExample.activity_id == activity_id
        )
    )
    _renumber(connection, activity_id, _order(connection, activity_id))


def move_example(connection: Connection, *, activity_id: int, example_id: int, up: bool) -> None:
    """Swap the example with its neighbour above (``up``) or below; at an end, nothing."""
    order = _order(connection, activity_id)
    if example_id not in order:
        raise NotFound("There is no such calibration example here.", code="example_not_found")
    at = order.index(example_id)
    other = at - 1 if up else at + 1
    if 0 <= other < len(order):
        order[at], order[other] = order[other], order[at]
    _renumber(connection, activity_id, order)


def _order(connection: Connection, activity_id: int) -> list[int]:
    return list(
        connection.scalars(
            select(CalibrationExample.id)
            .where(CalibrationExample.activity_id == activity_id)
            .order_by(CalibrationExample.position, CalibrationExample.id)
        )
    )


def _renumber(connection: Connection, activity_id: int, order: Sequence[int]) -> None:
    for position, example_id in enumerate(order):
        connection.execute(
            update(CalibrationExample)
            .where(
                CalibrationExample.id == example_id, CalibrationExample.activity_id == activity_id
            )
            .values(position=position)
        )


def references(connection: Connection, activity_id: int) -> dict[int, dict[str, float]]:
    """The teacher's levels of every example, by example (ready or not)."""
    return {
        row.id: _levels(row.scores)
        for row in connection.execute(
            select(CalibrationExample.id, CalibrationExample.scores).where(
                CalibrationExample.activity_id == activity_id
            )
        )
    }


def accuracy_by_learner(
    connection: Connection, activity_id: int, settings: PeerReviewSettings
) -> dict[int, float]:
    """Each learner's calibration accuracy (0..1); learners with no attempt are absent."""
    if not settings.calibration:
        return {}
    attempts = connection.execute(
        select(
            CalibrationAttempt.example_id, CalibrationAttempt.learner_id, CalibrationAttempt.scores
        ).where(
            CalibrationAttempt.activity_id == activity_id,
            CalibrationAttempt.submitted_at.is_not(None),
        )
    ).all()
    found = rules.learner_accuracy(
        settings.rubric,
        references(connection, activity_id),
        ((row.example_id, str(row.learner_id), _levels(row.scores)) for row in attempts),
        strictness=settings.strictness,
    )
    return {int(learner): accuracy for learner, accuracy in found.items()}


def with_calibration(
    connection: Connection,
    activity_id: int,
    settings: PeerReviewSettings,
    records: Sequence[LearnerRecord],
) -> list[LearnerRecord]:
    """Grade records with each learner's calibration accuracy, when the activity has it."""
    if not settings.calibration:
        return list(records)
    found = accuracy_by_learner(connection, activity_id, settings)
    return [replace(record, calibration=found.get(int(record.learner))) for record in records]
