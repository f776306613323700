"""Course-dependent options of a kind's form: offered per course, filling other fields."""

from __future__ import annotations

import pytest

from lti_tool.domain.activities import ActivityKind, FieldType, FormField, SettingsInvalid
from lti_tool.domain.course_choices import (
    CourseChoice,
    fill_from_choices,
    for_course,
    providers_of,
    without_course_choices,
)

KIND = ActivityKind(
    key="quiz",
    title="Quiz",
    description="A kind with a course-dependent field.",
    fields=(
        FormField("bank", "Start from a question bank", FieldType.CHOICE, course_choices="banks"),
        FormField("questions", "Questions", FieldType.TEXTAREA, required=True, default="Q1?\nQ2?"),
    ),
)
OFFERED = {"banks": [CourseChoice("7", "Week 1", fills={"questions": "Why?", "nope": "x"})]}


def test_the_form_offers_none_then_the_courses_options() -> None:
    assert providers_of(KIND) == {"banks"}
    fitted = for_course(KIND, OFFERED)
    (bank,) = (item for item in fitted.form if item.name == "bank")
    assert bank.choices == (("", "(none)"), ("7", "Week 1"))
    assert for_course(KIND, {}).fields[0].choices == (("", "(none)"),)
    plain = ActivityKind(key="plain", title="P", description="")
    assert for_course(plain, OFFERED) is plain


@pytest.mark.parametrize(
    ("typed", "used"),
    [("", "Why?"), ("  ", "Why?"), ("Q1?\r\nQ2?", "Why?"), ("Mine?", "Mine?")],
)
def test_a_picked_option_fills_only_what_was_left_empty_or_as_shown(typed: str, used: str) -> None:
    filled = fill_from_choices(KIND, {"bank": "7", "questions": typed}, OFFERED)
    assert filled["questions"] == used
    assert "nope" not in filled  # not a field of the kind
    assert for_course(KIND, OFFERED).build({**filled, "title": "T"}).settings["questions"] == used


def test_an_option_not_on_offer_fills_nothing_and_is_refused() -> None:
    submitted = {"title": "T", "bank": "8", "questions": ""}
    assert fill_from_choices(KIND, submitted, OFFERED) == submitted
    with pytest.raises(SettingsInvalid) as refused:
        for_course(KIND, OFFERED).build({**submitted, "questions": "Q?"})
    assert set(refused.value.errors) == {"bank"}


def test_the_choice_is_dropped_once_it_has_filled() -> None:
    assert without_course_choices(KIND, {"bank": "7", "questions": "Why?"}) == {"questions": "Why?"}
