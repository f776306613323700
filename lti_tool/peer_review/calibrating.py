"""Calibration, one operation per act: staff add, word, assess, move and remove the
examples; a learner assesses one; each page's data is read in one connection."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.peer_review.calibration import CalibrationGate
from lti_tool.domain.peer_review.rubric import Rubric
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import calibration, calibration_attempts
from lti_tool.peer_review.submitting import rich_text


def examples_of(engine: Engine, activity_id: int, rubric: Rubric) -> list[calibration.Example]:
    with engine.connect() as connection:
        return calibration.examples(connection, activity_id, rubric)


def example_of(
    engine: Engine, activity_id: int, example_id: int, rubric: Rubric
) -> calibration.Example:
    with engine.connect() as connection:
        return calibration.example(connection, activity_id, example_id, rubric)


def add_example(
    engine: Engine,
    *,
    activity_id: int,
    title: str,
    markdown: str,
    link_url: str | None,
    by: int,
    now: datetime,
) -> int:
    """A new example at the end (:class:`~calibration.ExampleInvalid` if it is wrong)."""
    with engine.begin() as connection:
        return calibration.add_example(
            connection,
            activity_id=activity_id,
            title=title,
            text_html=rich_text(markdown),
            link_url=link_url,
            by=by,
            now=now,
        )


def word_example(
    engine: Engine,
    *,
    activity_id: int,
    example: calibration.Example,
    title: str,
    markdown: str,
    link_url: str | None,
    now: datetime,
) -> None:
    with engine.begin() as connection:
        calibration.edit_wording(
            connection,
            activity_id=activity_id,
            example=example,
            title=title,
            text_html=rich_text(markdown),
            link_url=link_url,
            now=now,
        )


def assess_example(
    engine: Engine,
    *,
    activity_id: int,
    example: calibration.Example,
    rubric: Rubric,
    levels: Mapping[str, float],
    explanation: str,
    now: datetime,
) -> None:
    with engine.begin() as connection:
        calibration.assess_example(
            connection,
            activity_id=activity_id,
            example=example,
            rubric=rubric,
            levels=levels,
            explanation=explanation,
            now=now,
        )


def remove_example(engine: Engine, *, activity_id: int, example_id: int, rubric: Rubric) -> None:
    with engine.begin() as connection:
        example = calibration.example(connection, activity_id, example_id, rubric)
        calibration.remove_example(connection, activity_id=activity_id, example=example)


def move_example(engine: Engine, *, activity_id: int, example_id: int, up: bool) -> None:
    with engine.begin() as connection:
        calibration.move_example(connection, activity_id=activity_id, example_id=example_id, up=up)


@dataclass(frozen=True)
class LearnerCalibration:
    gate: CalibrationGate
    items: list[calibration_attempts.LearnerExample]
    accuracy: float | None
    still_open: bool


def learner_calibration(
    engine: Engine,
    *,
    activity_id: int,
    settings: PeerReviewSettings,
    learner_id: int,
    now: datetime,
) -> LearnerCalibration:
    """A learner's examples, how they did, whether they may review, and whether they
    may still calibrate."""
    with engine.connect() as connection:
        gate = calibration_attempts.gate(
            connection, activity_id=activity_id, settings=settings, learner_id=learner_id
        )
        items = calibration_attempts.learner_examples(
            connection, activity_id=activity_id, settings=settings, learner_id=learner_id
        )
        accuracy = calibration.accuracy_by_learner(connection, activity_id, settings)
        still_open = calibration_attempts.is_open(
            connection, activity_id=activity_id, settings=settings, now=now
        )
    return LearnerCalibration(gate, items, accuracy.get(learner_id), still_open)


def submit_attempt(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    learner_id: int,
    example_id: int,
    levels: Mapping[str, float],
    comments: Mapping[str, str],
    now: datetime,
    recorder: Recorder,
) -> None:
    """A learner's assessment of one example, final on submit."""
    with engine.begin() as connection:
        calibration_attempts.submit_attempt(
            connection,
            activity=activity,
            settings=settings,
            learner_id=learner_id,
            example_id=example_id,
            levels=levels,
            comments=comments,
            now=now,
            recorder=recorder,
        )
