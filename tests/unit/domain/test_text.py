"""The library's one rule for typed text: no control character survives, and the text
is otherwise kept."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.text import block, has_control, one_line


@given(st.text())
def test_nothing_typed_keeps_a_control_character(raw: str) -> None:
    assert not has_control(one_line(raw))
    assert not has_control(block(raw).replace("\n", "").replace("\t", ""))
    assert "\n" not in one_line(raw)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Z", "Cs"))))
def test_ordinary_text_is_kept(raw: str) -> None:
    assert one_line(raw) == unicodedata.normalize("NFC", raw)


def test_examples() -> None:
    assert one_line(" Pivot\x00 tables\ttoday\x07 ") == "Pivot tables today"
    assert block("a\r\nb\rc\x00\x1b\td\n") == "a\nb\nc\td"
    assert has_control("x\x7f")
    assert not has_control("café ☕")


def test_without_controls_keeps_line_breaks_and_tabs_only() -> None:
    from lti_tool.domain.text import without_controls  # noqa: PLC0415 - this test only

    assert without_controls("a\x00b\x1b[31mc\x7f\r\n\td") == "ab[31mc\r\n\td"
