"""Stored grade documents: every grade survives JSON unchanged, damaged ones are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.peer_review.grade_model import (
    GradeComponent,
    GradingPolicy,
    LearnerRecord,
    Override,
)
from lti_tool.domain.peer_review.grade_records import (
    UnreadableRecord,
    grade_from_record,
    grade_to_record,
)
from lti_tool.domain.peer_review.grades import grade_cohort
from lti_tool.domain.peer_review.rubric_text import parse_rubric_text
from lti_tool.domain.peer_review.scoring import FlagStatus, PeerAssessment
from lti_tool.domain.peer_review.settings import (
    Aggregation,
    GradeLines,
    ReviewGradeMode,
    Strictness,
)

RUBRIC = parse_rubric_text(
    "Argument\n- 0 | none\n- 1.5 | some\n- 4 | clear\n\nStyle\n- 0 | poor\n- 2 | good\n"
)
NOW = datetime(2027, 2, 1, 9, 30, tzinfo=UTC)

assessments = st.builds(
    PeerAssessment,
    ref=st.uuids().map(str),
    reviewer=st.sampled_from(["r1", "r2", "r3", "r4"]),
    chosen=st.fixed_dictionaries(
        {"argument": st.sampled_from([0.0, 1.5, 4.0]), "style": st.sampled_from([0.0, 2.0])}
    ),
    flag=st.sampled_from(list(FlagStatus)),
    self_review=st.booleans(),
    helpfulness=st.none() | st.integers(1, 5),
)
overrides = st.builds(
    Override,
    value=st.floats(0, 100, allow_nan=False),
    by=st.just("teacher-7"),
    at=st.sampled_from([NOW, NOW.astimezone(timezone(timedelta(hours=-5)))]),
    reason=st.text(max_size=20),
)
records = st.builds(
    LearnerRecord,
    learner=st.sampled_from(["1", "2", "3", "4", "5"]),
    reviews_received=st.none() | st.lists(assessments, max_size=5),
    reviews_written=st.lists(assessments, max_size=4),
    reviews_assigned=st.integers(0, 5),
    released=st.booleans(),
    overrides=st.dictionaries(
        st.sampled_from([GradeComponent.SUBMISSION, GradeComponent.REVIEW]), overrides
    ),
)
policies = st.builds(
    GradingPolicy,
    aggregation=st.sampled_from(list(Aggregation)),
    strictness=st.sampled_from(list(Strictness)),
    review_grade=st.sampled_from(list(ReviewGradeMode)),
    helpfulness_weight=st.sampled_from([0.0, 0.25]),
    grade_lines=st.sampled_from(list(GradeLines)),
)


@given(policies, st.lists(records, min_size=1, max_size=5, unique_by=lambda r: r.learner))
def test_every_grade_survives_a_json_round_trip(
    policy: GradingPolicy, cohort: list[LearnerRecord]
) -> None:
    for grade in grade_cohort(policy, RUBRIC, cohort).values():
        # Through text, as a JSON column stores it.
        stored = json.loads(json.dumps(grade_to_record(grade), allow_nan=False))
        back = grade_from_record(stored)
        assert back == grade
        assert back.line_grades() == grade.line_grades()


def test_an_override_keeps_who_when_and_why() -> None:
    override = Override(42.5, by="teacher-7", at=NOW, reason="late, excused")
    record = LearnerRecord(
        learner="9",
        reviews_received=None,
        reviews_written=[],
        reviews_assigned=0,
        released=True,
        overrides={GradeComponent.FINAL: override},
    )
    (grade,) = grade_cohort(GradingPolicy(), RUBRIC, [record]).values()
    back = grade_from_record(json.loads(json.dumps(grade_to_record(grade))))
    assert back.final is not None
    assert back.final.override == override
    assert back.final.score == 42.5


@pytest.mark.parametrize(
    "damage",
    [
        lambda doc: doc.update(version=0),
        lambda doc: doc.pop("submission"),
        lambda doc: doc["review"].update(progress="Graded-ish"),
        lambda doc: doc["explanation"].update(inputs=[["points"]]),
    ],
)
def test_an_unreadable_document_is_refused(damage: object) -> None:
    record = LearnerRecord(
        learner="9", reviews_received=None, reviews_written=[], reviews_assigned=0, released=True
    )
    (grade,) = grade_cohort(GradingPolicy(), RUBRIC, [record]).values()
    document = grade_to_record(grade)
    damage(document)  # type: ignore[operator]
    with pytest.raises(UnreadableRecord):
        grade_from_record(document)
