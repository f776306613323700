"""Uploaded files are judged by content; names are cleaned for display only."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.files import DOCX, JPEG, ODT, PDF, PNG, PPTX, TEXT, display_name, sniff


def ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def odf(media_type: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), media_type)  # stored, first
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n...", PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00", PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG),
        (ooxml("word/document.xml"), DOCX),
        (ooxml("ppt/presentation.xml"), PPTX),
        (odf("application/vnd.oasis.opendocument.text"), ODT),
        ("Plain notes, with accents: é ü\n".encode(), TEXT),
    ],
)
def test_types_are_recognised_by_content(content: bytes, expected: object) -> None:
    assert sniff(content[:8192]) == expected


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable named essay.pdf
        b"\x7fELF\x02\x01\x01",
        b"",
        b"text with a NUL \x00 byte",
        b"\x1b[31mterminal escapes\x1b[0m",
        ooxml("other/part.xml"),
    ],
)
def test_anything_else_is_refused(content: bytes) -> None:
    assert sniff(content) is None


def test_a_character_cut_at_the_sample_end_is_still_text() -> None:
    assert sniff(("a" * 8190 + "é").encode()[:8191]) == TEXT


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\Grace Hopper\\essay.exe", "essay.pdf"),
        ('<img src=x onerror="alert(1)">.pdf', "img src_x onerror_alert(1).pdf"),
        ("...", "file.pdf"),
        ("report\u202egnp.pdf", "report_gnp.pdf"),
    ],
)
def test_names_are_safe_to_show(uploaded: str, shown: str) -> None:
    assert display_name(uploaded, PDF) == shown


@given(st.text(max_size=300))
def test_any_name_becomes_a_plain_file_name(uploaded: str) -> None:
    shown = display_name(uploaded, PDF)
    assert shown.endswith(".pdf")
    assert "/" not in shown
    assert "\\" not in shown
    assert all(char.isprintable() for char in shown)
    assert not any(char in shown for char in "<>\"'&")
    assert len(shown) <= 124
