"""Calibration examples and attempts in the database, on SQLite and PostgreSQL: order,
the locks once learners assessed an example, the gate, and accuracy for grading."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from lti_tool.courses.activities import activity_by_id
from lti_tool.domain.peer_review.calibration import GateState
from lti_tool.domain.peer_review.rubric_text import parse_rubric_text
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.peer_review import calibration, calibration_attempts
from tests.integration.peer_review.test_queue_pick import course

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
RUBRIC = parse_rubric_text("A\n- 0 | n\n- 2 | o\n- 4 | p\n\nB\n- 0 | n\n- 1 | o\n- 2 | p\n")
SETTINGS = PeerReviewSettings(
    title="t",
    submissions_due=NOW,
    rubric=RUBRIC,
    calibration=True,
    calibration_examples=2,
    calibration_weight=0.5,
)
TEACHER_LEVELS = {"a": 4.0, "b": 2.0}


def test_examples_keep_their_order_and_lock_once_assessed(engine: Engine) -> None:
    with engine.begin() as connection:
        activity_id, people = course(connection)
        teacher, ann, bob = people[:3]
        ids = [
            calibration.add_example(
                connection,
                activity_id=activity_id,
                title=title,
                text_html=None,
                link_url=None,
                by=teacher,
                now=NOW,
            )
            for title in ("one", "two", "three")
        ]

        def titles() -> list[str]:
            return [e.title for e in calibration.examples(connection, activity_id, RUBRIC)]

        calibration.move_example(connection, activity_id=activity_id, example_id=ids[2], up=True)
        assert titles() == ["one", "three", "two"]
        calibration.move_example(connection, activity_id=activity_id, example_id=ids[0], up=True)
        assert titles() == ["one", "three", "two"]  # already first
        first = calibration.example(connection, activity_id, ids[0], RUBRIC)
        calibration.remove_example(connection, activity_id=activity_id, example=first)
        assert titles() == ["three", "two"]
        positions = [e.position for e in calibration.examples(connection, activity_id, RUBRIC)]
        assert positions == [0, 1]

        def gate(learner: int) -> GateState:
            return calibration_attempts.gate(
                connection, activity_id=activity_id, settings=SETTINGS, learner_id=learner
            ).state

        assert gate(ann) is GateState.TOO_FEW_EXAMPLES  # nothing assessed by the teacher
        for example_id in ids[1:]:
            found = calibration.example(connection, activity_id, example_id, RUBRIC)
            calibration.assess_example(
                connection,
                activity_id=activity_id,
                example=found,
                rubric=RUBRIC,
                levels=TEACHER_LEVELS,
                explanation="Why.",
                now=NOW,
            )
        assert gate(ann) is GateState.TO_DO
        with pytest.raises(calibration_attempts.CalibrationRequired):
            calibration_attempts.require_calibrated(connection, activity_id, SETTINGS, ann)

        activity = activity_by_id(connection, activity_id)
        assert activity is not None
        for learner, levels in ((ann, {"a": 0.0, "b": 0.0}), (bob, TEACHER_LEVELS)):
            for example_id in ids[1:]:
                calibration_attempts.submit_attempt(
                    connection,
                    activity=activity,
                    settings=SETTINGS,
                    learner_id=learner,
                    example_id=example_id,
                    levels=levels,
                    comments={},
                    now=NOW,
                )
        assert gate(ann) is GateState.DONE
        calibration_attempts.require_calibrated(connection, activity_id, SETTINGS, ann)
        with pytest.raises(calibration_attempts.CalibrationClosed):
            calibration_attempts.submit_attempt(
                connection,
                activity=activity,
                settings=SETTINGS,
                learner_id=ann,
                example_id=ids[1],
                levels=TEACHER_LEVELS,
                comments={},
                now=NOW,
            )
        accuracy = calibration.accuracy_by_learner(connection, activity_id, SETTINGS)
        assert accuracy[bob] == 1.0
        assert 0 <= accuracy[ann] < 1
        assert set(accuracy) == {ann, bob}

        locked = calibration.example(connection, activity_id, ids[1], RUBRIC)
        assert locked.attempts == 2
        with pytest.raises(calibration.ExampleLocked):
            calibration.remove_example(connection, activity_id=activity_id, example=locked)
        with pytest.raises(calibration.ExampleLocked):
            calibration.assess_example(
                connection,
                activity_id=activity_id,
                example=locked,
                rubric=RUBRIC,
                levels={"a": 2.0, "b": 2.0},
                explanation="",
                now=NOW,
            )
        calibration.assess_example(  # the same levels, a better explanation: fine
            connection,
            activity_id=activity_id,
            example=locked,
            rubric=RUBRIC,
            levels=TEACHER_LEVELS,
            explanation="Why, at length.",
            now=NOW,
        )
        mine = calibration_attempts.learner_examples(
            connection, activity_id=activity_id, settings=SETTINGS, learner_id=bob
        )
        assert [item.accuracy for item in mine] == [1.0, 1.0]
        assert [item.example.id for item in mine] == [ids[2], ids[1]]
        assert mine[1].example.explanation == "Why, at length."
