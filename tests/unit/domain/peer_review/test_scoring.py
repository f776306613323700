"""Grading: aggregation, Moodle-style reviewer accuracy, calibration and learners' grades."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.grading import ActivityProgress, GradingProgress
from lti_tool.domain.peer_review.grade_model import (
    GradeComponent,
    GradingPolicy,
    LearnerRecord,
    Override,
)
from lti_tool.domain.peer_review.grades import grade_cohort, grade_learner
from lti_tool.domain.peer_review.rubric_text import parse_rubric_text
from lti_tool.domain.peer_review.scoring import (
    CalibrationExample,
    FlagStatus,
    PeerAssessment,
    aggregate_criteria,
    assessment_accuracy,
    calibration_accuracy,
    score_submission,
)
from lti_tool.domain.peer_review.settings import (
    Aggregation,
    GradeLines,
    ReviewGradeMode,
    Strictness,
)

# Criterion a: 0..4 (range 4); criterion b: 0..2 (range 2).
RUBRIC = parse_rubric_text(
    "A\n- 0 | n\n- 1 | o\n- 2 | p\n- 3 | q\n- 4 | r\n\nB\n- 0 | n\n- 1 | o\n- 2 | p\n"
)
NOW = datetime(2027, 2, 1, tzinfo=UTC)


def review(ref: str, a: float, b: float, **kwargs: object) -> PeerAssessment:
    return PeerAssessment(ref=ref, reviewer=f"who-{ref}", chosen={"a": a, "b": b}, **kwargs)  # type: ignore[arg-type]


THREE = [review("r1", 4, 2), review("r2", 3, 2), review("r3", 1, 0)]


def test_median_and_mean_aggregation() -> None:
    median = score_submission(RUBRIC, THREE, method=Aggregation.MEDIAN, score_maximum=10)
    assert median is not None
    assert median.criteria == {"a": 3, "b": 2}
    assert median.score == pytest.approx(5 / 6 * 10)
    mean = score_submission(RUBRIC, THREE, method=Aggregation.MEAN, score_maximum=10)
    assert mean is not None
    assert mean.score == pytest.approx((8 / 3 + 4 / 3) / 6 * 10)


def test_self_reviews_and_flagged_reviews_do_not_count() -> None:
    reviews = [
        *THREE,
        review("self", 0, 0, self_review=True),
        review("flag", 0, 0, flag=FlagStatus.UPHELD),
        review("open", 0, 0, flag=FlagStatus.OPEN),
        review("ok", 4, 2, flag=FlagStatus.DISMISSED),
    ]
    result = score_submission(RUBRIC, reviews, method=Aggregation.MEDIAN, score_maximum=10)
    assert result is not None
    assert result.counted == ("r1", "r2", "r3", "ok")
    assert result.criteria == {"a": 3.5, "b": 2}


def test_accuracy_weighting_and_edge_cases() -> None:
    weighted = aggregate_criteria(
        RUBRIC, THREE, Aggregation.ACCURACY_WEIGHTED, weights={"r1": 1, "r2": 1, "r3": 0}
    )
    assert weighted == {"a": 3.5, "b": 2}
    zero = dict.fromkeys(["r1", "r2", "r3"], 0.0)
    assert aggregate_criteria(RUBRIC, THREE, Aggregation.ACCURACY_WEIGHTED, weights=zero) == {
        "a": pytest.approx(8 / 3),
        "b": pytest.approx(4 / 3),
    }
    assert score_submission(RUBRIC, [], method=Aggregation.MEDIAN, score_maximum=10) is None
    flagged = [review("x", 1, 1, flag=FlagStatus.OPEN)]
    assert score_submission(RUBRIC, flagged, method=Aggregation.MEAN, score_maximum=10) is None


def test_worked_example_of_comparison_with_the_best_assessment() -> None:
    # Normalised to 0..100: r1 (100, 100), r2 (75, 100), r3 (25, 0); mean (66.67, 66.67).
    var_a = ((100 - 200 / 3) ** 2 + (75 - 200 / 3) ** 2 + (25 - 200 / 3) ** 2) / 3  # 972.2
    var_b = ((100 - 200 / 3) ** 2 * 2 + (200 / 3) ** 2) / 3  # 2222.2
    factor = 5  # fair
    # Distance to the mean: r2 is the closest, so it is the "best" assessment.
    # Distances to r2, per criterion |d| * d^2 / (factor * variance), averaged over 2:
    r1 = (25**3 / (factor * var_a) + 0) / 2  # 1.607
    r3 = (50**3 / (factor * var_a) + 100**3 / (factor * var_b)) / 2  # 57.857
    accuracy = assessment_accuracy(RUBRIC, THREE, strictness=Strictness.FAIR)
    assert accuracy == {
        "r1": pytest.approx((100 - r1) / 100, abs=1e-5),
        "r2": 1.0,
        "r3": pytest.approx((100 - r3) / 100, abs=1e-5),
    }
    assert accuracy["r3"] == pytest.approx(0.4214, abs=1e-4)
    # Stricter comparison, lower accuracy for the outlier.
    strict = assessment_accuracy(RUBRIC, THREE, strictness=Strictness.VERY_STRICT)
    assert strict["r3"] == 0.0
    assert assessment_accuracy(RUBRIC, THREE, strictness=Strictness.VERY_LAX)["r3"] > accuracy["r3"]


def test_moodle_fixture_equal_distances_make_two_best_assessments() -> None:
    # Moodle's unit test: grades (50, 33.33) and (0, 66.67) on criteria 0..2 and 0..3
    # are equally far from the average (25, 50), so both are "best" and score 100.
    rubric = parse_rubric_text(
        "X\n- 0 | a\n- 1 | b\n- 2 | c\n\nY\n- 0 | a\n- 1 | b\n- 2 | c\n- 3 | d\n"
    )
    pair = [
        PeerAssessment("18", "p", {"x": 1, "y": 1}),
        PeerAssessment("16", "q", {"x": 0, "y": 2}),
    ]
    assert assessment_accuracy(rubric, pair, strictness=Strictness.VERY_LAX) == {"18": 1, "16": 1}


def test_moodle_fixture_zero_variance() -> None:
    # Two identical assessments agree; the third is far from them.
    rubric = parse_rubric_text("X\n- 0 | no\n- 1 | yes\n")
    reviews = [
        PeerAssessment("10", "a", {"x": 0}),
        PeerAssessment("20", "b", {"x": 1}),
        PeerAssessment("30", "c", {"x": 1}),
    ]
    accuracy = assessment_accuracy(rubric, reviews, strictness=Strictness.FAIR)
    assert accuracy["20"] == accuracy["30"] == 1.0
    assert accuracy["10"] < 1.0
    same = [PeerAssessment(str(i), "r", {"x": 1}) for i in range(3)]
    assert set(assessment_accuracy(rubric, same, strictness=Strictness.FAIR).values()) == {1.0}
    assert assessment_accuracy(rubric, same[:1], strictness=Strictness.STRICT) == {"0": 1.0}


def test_calibration_against_the_teachers_assessment() -> None:
    example = CalibrationExample(
        reference={"a": 4, "b": 2}, attempts={"exact": {"a": 4, "b": 2}, "off": {"a": 0, "b": 0}}
    )
    result = calibration_accuracy(RUBRIC, [example], strictness=Strictness.FAIR)
    assert result["exact"] == 1.0
    assert 0 <= result["off"] < 1


levels_a = st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0])
levels_b = st.sampled_from([0.0, 1.0, 2.0])
assessments = st.lists(st.tuples(levels_a, levels_b), min_size=1, max_size=8).map(
    lambda pairs: [review(str(i), a, b) for i, (a, b) in enumerate(pairs)]
)


@given(assessments, st.sampled_from(Aggregation), st.floats(0.01, 1000))
def test_scores_stay_within_the_maximum(
    reviews: list[PeerAssessment], method: Aggregation, maximum: float
) -> None:
    result = score_submission(RUBRIC, reviews, method=method, score_maximum=maximum)
    assert result is not None
    assert 0 <= result.score <= maximum


@given(levels_a, levels_b, st.integers(2, 6), levels_a, levels_b)
def test_median_is_robust_to_one_outlier(a: float, b: float, n: int, oa: float, ob: float) -> None:
    reviews = [review(str(i), a, b) for i in range(n)] + [review("out", oa, ob)]
    assert aggregate_criteria(RUBRIC, reviews, Aggregation.MEDIAN) == {"a": a, "b": b}


@given(assessments, st.sampled_from(Strictness))
def test_accuracy_is_a_share(reviews: list[PeerAssessment], strictness: Strictness) -> None:
    accuracy = assessment_accuracy(RUBRIC, reviews, strictness=strictness)
    assert set(accuracy) == {r.ref for r in reviews}
    assert all(0 <= value <= 1 for value in accuracy.values())
    assert max(accuracy.values()) == 1.0  # the best assessment agrees with itself


@given(
    st.sampled_from([1.0, 2.0, 3.0]),
    st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), max_size=5),
    st.sampled_from(Strictness),
)
def test_a_reviewer_equal_to_the_consensus_scores_one(
    a: float, spreads: list[tuple[int, int]], strictness: Strictness
) -> None:
    # Pairs spread evenly around (a, 1) keep the mean there, so the reviewer at the mean
    # is the best assessment.
    others = [
        review(f"{side}{i}", a + sign * da, 1 + sign * db)
        for i, (da, db) in enumerate(spreads)
        for side, sign in (("lo", -1), ("hi", 1))
    ]
    accuracy = assessment_accuracy(RUBRIC, [review("c", a, 1), *others], strictness=strictness)
    assert accuracy["c"] == 1.0


# Learners' grades -------------------------------------------------------------------

POLICY = GradingPolicy(score_maximum=100, review_score_maximum=10)


def record(**changes: object) -> LearnerRecord:
    base: dict[str, object] = {
        "learner": "ann",
        "reviews_received": THREE,
        "reviews_written": [review("w1", 4, 2), review("w2", 3, 1)],
        "reviews_assigned": 2,
        "released": True,
    }
    return LearnerRecord(**{**base, **changes})  # type: ignore[arg-type]


def test_a_released_grade_combines_submission_and_reviewing() -> None:
    grade = grade_learner(POLICY, RUBRIC, record())
    assert grade.submission.score == pytest.approx(500 / 6)
    assert grade.review.score == 10  # both assigned reviews done
    assert grade.final is not None
    assert grade.final.score == pytest.approx(0.8 * 500 / 6 + 0.2 * 100)
    assert grade.activity_progress is ActivityProgress.COMPLETED
    (line,) = grade.line_grades().values()
    assert line.grading_progress is GradingProgress.FULLY_GRADED


def test_progress_follows_the_phase() -> None:
    pending = grade_learner(POLICY, RUBRIC, record(released=False))
    assert pending.final is not None
    assert pending.final.progress is GradingProgress.PENDING
    assert pending.final.score is None
    assert pending.submission.provisional == pytest.approx(500 / 6)
    flagged = record(reviews_received=[*THREE, review("f", 0, 0, flag=FlagStatus.OPEN)])
    manual = grade_learner(POLICY, RUBRIC, flagged)
    assert manual.submission.progress is GradingProgress.PENDING_MANUAL
    assert manual.final is not None
    assert manual.final.progress is GradingProgress.PENDING_MANUAL
    few = grade_learner(GradingPolicy(minimum_reviews=4), RUBRIC, record())
    assert few.submission.progress is GradingProgress.PENDING_MANUAL
    all_flagged = [review("f", 0, 0, flag=FlagStatus.UPHELD)]
    none_left = grade_learner(POLICY, RUBRIC, record(reviews_received=all_flagged))
    assert none_left.submission.progress is GradingProgress.PENDING_MANUAL


def test_no_submission_and_no_reviews() -> None:
    grade = grade_learner(POLICY, RUBRIC, record(reviews_received=None, reviews_written=[]))
    assert grade.submission.score == 0
    assert grade.review.score == 0
    assert grade.activity_progress is ActivityProgress.INITIALIZED
    unsubmitted = grade_learner(POLICY, RUBRIC, record(reviews_received=[]))
    assert unsubmitted.submission.progress is GradingProgress.PENDING_MANUAL


@given(st.floats(0, 100), st.booleans(), st.sampled_from([None, [], THREE]))
def test_overrides_always_win(value: float, released: bool, received: object) -> None:
    override = Override(value, by="teacher-1", at=NOW, reason="regraded")
    grade = grade_learner(
        POLICY,
        RUBRIC,
        record(
            released=released,
            reviews_received=received,
            overrides={GradeComponent.SUBMISSION: override, GradeComponent.FINAL: override},
        ),
    )
    assert grade.submission.score == value
    assert grade.submission.override == override
    assert grade.final is not None
    assert grade.final.score == value
    assert grade.final.progress is GradingProgress.FULLY_GRADED


def test_two_gradebook_columns() -> None:
    policy = GradingPolicy(grade_lines=GradeLines.SEPARATE, review_score_maximum=5)
    grade = grade_learner(policy, RUBRIC, record(reviews_written=[review("w1", 4, 2)]))
    lines = grade.line_grades()
    assert lines["peer-review-reviewing"].score_given == 2.5
    assert lines["peer-review-submission"].score_maximum == 100
    with pytest.raises(ValueError, match="two gradebook columns"):
        grade_learner(
            policy,
            RUBRIC,
            record(overrides={GradeComponent.FINAL: Override(1, by="t", at=NOW)}),
        )


def test_review_grade_by_accuracy_over_the_cohort() -> None:
    policy = GradingPolicy(review_grade=ReviewGradeMode.ACCURACY, helpfulness_weight=0.5)
    ann = record(
        reviews_received=[review("b1", 4, 2)],
        reviews_written=[review("r3", 1, 0, helpfulness=5)],
        reviews_assigned=1,
    )
    bob = record(learner="bob", reviews_received=THREE, reviews_written=[], reviews_assigned=0)
    grades = grade_cohort(policy, RUBRIC, [ann, bob])
    # Ann wrote r3 (accuracy 0.4214 from the worked example), rated 5 of 5 helpful.
    assert grades["ann"].review.score == pytest.approx((0.5 * 0.42143 + 0.5 * 1) * 10, abs=1e-3)
    assert grades["bob"].review.score == 10  # nothing was assigned to bob


def test_the_explanation_names_no_reviewer() -> None:
    reviews = [
        review("self", 1, 1, self_review=True),
        *THREE,
        review("f", 0, 0, flag=FlagStatus.UPHELD),
    ]
    grade = grade_learner(
        GradingPolicy(aggregation=Aggregation.ACCURACY_WEIGHTED),
        RUBRIC,
        record(reviews_received=reviews),
    )
    explanation = grade.explanation
    assert [line.label for line in explanation.reviews] == [
        "Self-review",
        "Review 1",
        "Review 2",
        "Review 3",
        "Review 4",
    ]
    assert [line.counted for line in explanation.reviews] == [False, True, True, True, False]
    assert explanation.criteria[0].values == (4, 3, 1)
    text = repr(explanation)
    assert "who-" not in text
    assert "'r1'" not in text
