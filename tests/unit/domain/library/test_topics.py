"""Topic names are normalised; names that differ only in case, spacing or punctuation
are one topic."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.library.topics import (
    NAME_LIMIT,
    SLUG_LIMIT,
    TopicInvalid,
    TopicName,
    slug_of,
    topic,
    topic_list,
)


def test_names_and_slugs() -> None:
    assert topic("  Data   Science ") == TopicName("Data Science", "data-science")
    assert topic("C++ & Rust!").slug == "c-rust"
    assert topic("Éthique\u200b numérique").name == "Éthique numérique"
    assert topic("数学").slug == "数学"
    assert slug_of("snake_case") == "snake-case"


@pytest.mark.parametrize(
    ("raw", "message"),
    [("   ", "needs a name"), ("!!!", "letter or digit"), ("x" * (NAME_LIMIT + 1), "at most")],
)
def test_unusable_names(raw: str, message: str) -> None:
    with pytest.raises(TopicInvalid, match=message):
        topic(raw)


def test_lists_drop_repeats_and_have_a_limit() -> None:
    assert [t.name for t in topic_list("Feedback, feedback ,FEEDBACK, Writing,,")] == [
        "Feedback",
        "Writing",
    ]
    assert topic_list("") == ()
    with pytest.raises(TopicInvalid, match="at most 5"):
        topic_list("a, b, c, d, e, f")


@given(st.text(max_size=200))
def test_any_accepted_name_is_clean(raw: str) -> None:
    try:
        found = topic(raw)
    except TopicInvalid:
        return
    assert found.name == found.name.strip()
    assert "  " not in found.name
    assert all(c.isprintable() for c in found.name)
    assert 0 < len(found.slug) <= SLUG_LIMIT
    assert found.slug == slug_of(found.name)
    assert topic(found.name.upper()).slug == found.slug or not found.name.isascii()
