"""Calibration rules: the gate before reviewing, ready examples, each learner's accuracy,
what staff may change, and calibration in the review grade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.peer_review.calibration import (
    GateState,
    calibration_gate,
    calibration_open,
    change_refusal,
    example_problems,
    is_ready,
    learner_accuracy,
    reference_problems,
)
from lti_tool.domain.peer_review.grade_model import GradingPolicy, LearnerRecord
from lti_tool.domain.peer_review.grades import LearnerGrade, grade_learner
from lti_tool.domain.peer_review.rubric_text import parse_rubric_text
from lti_tool.domain.peer_review.scoring import CohortAccuracy, PeerAssessment
from lti_tool.domain.peer_review.settings import ReviewGradeMode, Strictness

# Criterion a: 0..4; criterion b: 0..2.
RUBRIC = parse_rubric_text("A\n- 0 | n\n- 2 | o\n- 4 | p\n\nB\n- 0 | n\n- 1 | o\n- 2 | p\n")
NOW = datetime(2027, 3, 1, tzinfo=UTC)


def gate(**values: object) -> GateState:
    arguments: dict[str, object] = {
        "enabled": True,
        "required": 2,
        "ready": 3,
        "assessed": 0,
        "started_reviewing": False,
        **values,
    }
    return calibration_gate(**arguments).state  # type: ignore[arg-type]


def test_the_gate_holds_learners_back_only_while_there_is_something_to_assess() -> None:
    assert gate(enabled=False) is GateState.OFF
    assert gate() is GateState.TO_DO
    assert gate(assessed=1) is GateState.TO_DO
    assert gate(assessed=2) is GateState.DONE
    assert gate(ready=1) is GateState.TOO_FEW_EXAMPLES  # never blocked for ever
    assert gate(ready=0) is GateState.TOO_FEW_EXAMPLES
    assert gate(started_reviewing=True) is GateState.ALREADY_REVIEWING
    assert gate(ready=1, assessed=2) is GateState.DONE
    blocked = calibration_gate(
        enabled=True, required=3, ready=4, assessed=1, started_reviewing=False
    )
    assert not blocked.open
    assert blocked.remaining == 2
    assert (
        calibration_gate(
            enabled=True, required=3, ready=4, assessed=3, started_reviewing=False
        ).remaining
        == 0
    )


@given(
    st.booleans(),
    st.integers(1, 10),
    st.integers(0, 20),
    st.integers(0, 20),
    st.booleans(),
)
def test_the_gate_is_closed_exactly_when_the_learner_could_calibrate_but_has_not(
    enabled: bool, required: int, ready: int, assessed: int, started: bool
) -> None:
    assessed = min(assessed, ready)  # attempts are counted on ready examples only
    found = calibration_gate(
        enabled=enabled,
        required=required,
        ready=ready,
        assessed=assessed,
        started_reviewing=started,
    )
    closed = enabled and ready >= required and assessed < required and not started
    assert found.open is not closed
    assert found.remaining == (required - assessed if closed else 0)


def test_an_example_is_ready_when_the_teacher_chose_a_level_for_every_criterion() -> None:
    assert is_ready(RUBRIC, {"a": 4, "b": 1})
    assert reference_problems(RUBRIC, {"a": 4}) == {"b": "Choose a level."}
    assert reference_problems(RUBRIC, {"a": 3, "b": 1}) == {
        "a": "Choose one of the offered levels."
    }
    assert "z" in reference_problems(RUBRIC, {"a": 4, "b": 1, "z": 1})
    assert not is_ready(RUBRIC, {})


def test_each_learners_accuracy_over_the_examples_they_assessed() -> None:
    references = {1: {"a": 4.0, "b": 2.0}, 2: {"a": 2.0, "b": 1.0}, 3: {"a": 4.0}}
    attempts = [
        (1, "ann", {"a": 4.0, "b": 2.0}),
        (2, "ann", {"a": 0.0, "b": 0.0}),
        (1, "bob", {"a": 4.0, "b": 2.0}),
        (2, "bob", {"a": 2.0, "b": 1.0}),
        (2, "cat", {"a": 2.0, "b": 1.0}),
        (2, "dan", {"a": 2.0, "b": 1.0}),
        (3, "eve", {"a": 4.0}),  # example 3 is not ready: left out
        (1, "fay", {"a": 3.0, "b": 2.0}),  # no longer a level of the rubric: left out
        (9, "gus", {"a": 4.0, "b": 2.0}),  # an unknown example: left out
    ]
    found = learner_accuracy(RUBRIC, references, attempts, strictness=Strictness.FAIR)
    # Example 2: teacher, bob, cat, dan at 50 % on both criteria, ann at 0: population
    # variance 400, distance 50**3 / (5 * 400) = 62.5, accuracy 0.375.
    assert found == pytest.approx({"ann": (1 + 0.375) / 2, "bob": 1.0, "cat": 1.0, "dan": 1.0})


def test_a_stricter_comparison_costs_more() -> None:
    references = {1: {"a": 4.0, "b": 2.0}}
    attempts = [(1, "ann", {"a": 2.0, "b": 2.0}), (1, "bob", {"a": 4.0, "b": 2.0})]
    lax = learner_accuracy(RUBRIC, references, attempts, strictness=Strictness.VERY_LAX)
    strict = learner_accuracy(RUBRIC, references, attempts, strictness=Strictness.VERY_STRICT)
    assert strict["ann"] < lax["ann"] < 1.0


def test_calibration_closes_when_reviews_are_due_or_results_are_out() -> None:
    assert calibration_open(now=NOW, reviews_due=None, released=False)
    assert calibration_open(now=NOW, reviews_due=NOW, released=False)
    assert not calibration_open(now=NOW, reviews_due=NOW - timedelta(seconds=1), released=False)
    assert not calibration_open(now=NOW, reviews_due=None, released=True)


def test_what_staff_may_change_once_learners_assessed_an_example() -> None:
    assert change_refusal(attempts=0, removing=True, levels_changed=True) is None
    assert change_refusal(attempts=3, removing=False, levels_changed=False) is None
    removing = change_refusal(attempts=1, removing=True, levels_changed=False)
    assert removing is not None
    assert "1 learner has" in removing
    assert "removed" in removing
    relevel = change_refusal(attempts=2, removing=False, levels_changed=True)
    assert relevel is not None
    assert "2 learners have" in relevel


def test_an_examples_wording() -> None:
    assert example_problems(title="Essay", link_url=None) == {}
    assert example_problems(title="Essay", link_url="https://example.org/x") == {}
    assert set(example_problems(title="  ", link_url="javascript:alert(1)")) == {
        "title",
        "link_url",
    }
    assert "title" in example_problems(title="x" * 256, link_url=None)


# Calibration in the review grade ------------------------------------------------------


def graded(review_grade: ReviewGradeMode, calibration: float | None, weight: float) -> LearnerGrade:
    written = [
        PeerAssessment(ref="w1", reviewer="ann", chosen={"a": 4, "b": 2}),
        PeerAssessment(ref="w2", reviewer="ann", chosen={"a": 2, "b": 1}),
    ]
    record = LearnerRecord(
        learner="ann",
        reviews_received=None,
        reviews_written=written,
        reviews_assigned=2,
        released=True,
        calibration=calibration,
    )
    policy = GradingPolicy(
        review_grade=review_grade, calibration_weight=weight, review_score_maximum=10
    )
    # Both reviews written, each as accurate as can be: the reviews alone earn everything.
    accuracy = CohortAccuracy(by_assessment={"w1": 1.0, "w2": 1.0}, by_reviewer={"ann": 1.0})
    return grade_learner(policy, RUBRIC, record, accuracy=accuracy)


@pytest.mark.parametrize("mode", list(ReviewGradeMode))
def test_calibration_takes_its_share_of_the_review_grade_in_either_mode(
    mode: ReviewGradeMode,
) -> None:
    grade = graded(mode, calibration=0.5, weight=0.4)
    assert grade.review.score == pytest.approx(10 * (0.6 * 1 + 0.4 * 0.5))
    inputs = dict(grade.explanation.inputs)
    assert inputs["your calibration accuracy"] == 0.5
    assert inputs["calibration share of the review grade"] == 0.4


def test_no_calibration_result_leaves_the_review_grade_to_the_reviews() -> None:
    grade = graded(ReviewGradeMode.COMPLETION, calibration=None, weight=0.4)
    assert grade.review.score == 10
    assert "You have no calibration result" in " ".join(grade.explanation.notes)
    unweighted = graded(ReviewGradeMode.COMPLETION, calibration=0.0, weight=0.0)
    assert unweighted.review.score == 10
    assert "your calibration accuracy" not in dict(unweighted.explanation.inputs)
