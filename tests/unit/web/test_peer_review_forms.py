"""Peer review form schemas: the shapes they accept and the refusals pages answer with."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.kinds import all_kinds
from lti_tool.web.forms import FormInvalid, kind_values, load, load_or
from lti_tool.web.peer_review.forms import (
    RATING_REFUSED,
    GroupsForm,
    LmsGroupsForm,
    OverrideForm,
    RatingForm,
    ReviewForm,
    RubricLibraryForm,
    rubric_answers,
)


def test_rubric_answers_by_criterion_first_value_wins() -> None:
    form = MultiDict(
        [("score-a", "2"), ("score-a", "9"), ("score-b", ""), ("comment-a", "ok"), ("ls", "t")]
    )
    assert rubric_answers(form) == ({"a": 2.0}, {"a": "ok"})


def test_a_score_that_is_no_number_is_refused_as_before() -> None:
    with pytest.raises(BadRequest) as refused:
        rubric_answers(MultiDict([("score-a", "high")]))
    assert refused.value.status == 400
    assert "offered levels" in refused.value.detail


def test_review_form_says_whether_it_is_final() -> None:
    assert load(ReviewForm(), {"action": "submit", "overall": ""}) == {
        "overall": None,
        "final": True,
    }
    assert load(ReviewForm(), {})["final"] is False


@pytest.mark.parametrize(("raw", "expected"), [("", None), ("3", 3), ("5", 5)])
def test_rating_is_a_whole_number_or_none(raw: str, expected: int | None) -> None:
    assert load_or(RatingForm(), RATING_REFUSED, {"helpfulness": raw})["helpfulness"] == expected


@pytest.mark.parametrize("raw", ["x", "3.5", " "])
def test_rating_that_is_no_whole_number_keeps_its_code(raw: str) -> None:
    with pytest.raises(BadRequest) as refused:
        load_or(RatingForm(), RATING_REFUSED, {"helpfulness": raw})
    assert refused.value.code == "rating_range"


def test_flag_reason_is_trimmed_and_blank_is_none() -> None:
    assert load_or(RatingForm(), RATING_REFUSED, {"flag_reason": "  "})["flag_reason"] is None
    assert load_or(RatingForm(), RATING_REFUSED, {"flag_reason": " rude "})["flag_reason"] == (
        "rude"
    )


def test_rubric_library_form_remove_id() -> None:
    assert load(RubricLibraryForm(), {"title": "T"}) == {"title": "T", "remove": None}
    assert load(RubricLibraryForm(), {"remove": "12"})["remove"] == 12
    assert load(RubricLibraryForm(), {"remove": "twelve"})["remove"] == 0


def test_groups_form_keeps_learner_fields_only() -> None:
    form = {"group-4": "Red", "group-x": "Blue", "other": "1"}
    assert load(GroupsForm(), form) == {"chosen": {4: "Red"}}


def test_lms_groups_form() -> None:
    assert load(LmsGroupsForm(), {}) == {"use": True, "set_lms_id": None}
    assert load(LmsGroupsForm(), {"use": "0", "set": "s1"}) == {"use": False, "set_lms_id": "s1"}


def test_staff_tool_forms_refuse_with_the_shared_form_invalid() -> None:
    with pytest.raises(FormInvalid) as refused:
        load(OverrideForm(), {"learner": "x", "component": "final", "value": "1"})
    assert refused.value.status == 422
    assert refused.value.code == "form_invalid"


def test_kind_values_has_every_field_of_the_kind() -> None:
    kind = next(iter(all_kinds().all()))
    values = kind_values(kind, {"title": "Essay", "unknown": "dropped"})
    assert set(values) == {field.name for field in kind.form}
    assert "unknown" not in values
    assert all(isinstance(value, str) for value in values.values())
