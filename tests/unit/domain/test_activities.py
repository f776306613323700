"""Activity kinds: settings forms checked field by field, plans, the registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.activities import (
    COURSE_HOME,
    ActivityKind,
    FieldType,
    FormField,
    Gradebook,
    KindRegistry,
    SettingsInvalid,
    UnknownKind,
    default_kinds,
    read_field,
)

GRADED = ActivityKind(
    key="graded",
    title="Graded",
    description="",
    fields=(
        FormField("reviews", "Reviews", FieldType.INTEGER, default=3, minimum=1, maximum=6),
        FormField("mode", "Mode", FieldType.CHOICE, choices=(("a", "A"), ("b", "B")), default="a"),
        FormField("late", "Late work", FieldType.CHECKBOX),
        FormField("due", "Due", FieldType.DATETIME),
    ),
    graded=True,
    check=lambda values: (
        {"due": "Too early."} if values["due"] and values["due"].year < 2000 else {}
    ),
)


def test_a_valid_form_becomes_a_plan() -> None:
    plan = GRADED.build(
        {
            "title": "  Essay   one ",
            "text": "Write.",
            "reviews": "4",
            "mode": "b",
            "late": "on",
            "due": "2027-01-31T17:00",
            "score_maximum": "12.5",
        }
    )
    assert plan.title == "Essay one"
    assert plan.text == "Write."
    assert plan.settings == {
        "reviews": 4,
        "mode": "b",
        "late": True,
        "due": datetime(2027, 1, 31, 17, 0, tzinfo=UTC),
    }
    assert plan.gradebook == Gradebook(score_maximum=12.5, label="Essay one", tag="graded")


def test_every_mistake_is_reported_at_once() -> None:
    with pytest.raises(SettingsInvalid) as caught:
        GRADED.build(
            {"title": " ", "reviews": "9", "mode": "z", "due": "soon", "score_maximum": "0"}
        )
    assert caught.value.errors == {
        "title": "Title is required.",
        "reviews": "Reviews must be at most 6.",
        "mode": "Choose one of the offered values for Mode.",
        "due": "Due must be a date and time.",
        "score_maximum": "Points in the gradebook must be at least 0.01.",
    }


def test_cross_field_rules_run_after_field_checks() -> None:
    with pytest.raises(SettingsInvalid) as caught:
        GRADED.build({"title": "T", "due": "1999-01-01T00:00", "score_maximum": "1"})
    assert caught.value.errors == {"due": "Too early."}


def test_an_ungraded_kind_has_no_gradebook_column() -> None:
    plan = COURSE_HOME.build({"title": "Home"})
    assert plan.gradebook is None
    assert plan.settings == {}
    assert [item.name for item in COURSE_HOME.form] == ["title", "text"]


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e999"])
def test_numbers_must_be_finite(raw: str) -> None:
    with pytest.raises(ValueError, match=r"finite|at most"):
        read_field(FormField("n", "N", FieldType.NUMBER, maximum=10), raw)


def test_text_is_limited() -> None:
    with pytest.raises(ValueError, match="at most 5 characters"):
        read_field(FormField("t", "T", max_length=5), "abcdef")


@given(st.text(max_size=50))
def test_any_submitted_text_either_reads_or_says_why(raw: str) -> None:
    messages = []
    for item in GRADED.form:
        try:
            read_field(item, raw)
        except ValueError as error:
            messages.append(str(error))
    assert all(messages)


def test_registry_keeps_order_and_refuses_duplicates() -> None:
    registry = default_kinds()
    registry.register(GRADED)
    assert [kind.key for kind in registry.all()] == ["course-home", "graded"]
    assert "graded" in registry
    with pytest.raises(ValueError, match="registered already"):
        registry.register(GRADED)
    with pytest.raises(UnknownKind):
        registry.get("nope")
    clash = ActivityKind(key="clash", title="", description="", fields=(FormField("title", "T"),))
    with pytest.raises(ValueError, match="repeats a field name"):
        KindRegistry().register(clash)
