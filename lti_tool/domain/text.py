"""The one rule for text people type and LMSs send (shared by every feature): the library's
titles, summaries, bodies, link titles and descriptions, topic names, file names, comments,
flag reasons, staff notes, request titles and search words; profile names, peer review
submissions and reviews; and every claim of a launch that is stored.

Control characters (Unicode category ``Cc``: NUL, BEL, ESC, DEL ...) are invisible, never
meant, and PostgreSQL refuses NUL in a text column; they are dropped (or, when they are
whitespace such as a tab in a one-line field, read as a space). Text is NFC so the same
words compare equal however the browser composed them.
"""

from __future__ import annotations

import unicodedata


def is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def has_control(text: str) -> bool:
    """Whether ``text`` holds any control character (for fields refused, not cleaned)."""
    return any(is_control(char) for char in text)


def one_line(raw: str) -> str:
    """One line: NFC, no control characters, single spaces, trimmed."""
    text = unicodedata.normalize("NFC", raw)
    kept = "".join((" " if c.isspace() else "") if is_control(c) else c for c in text)
    return " ".join(kept.split())


def block(raw: str) -> str:
    """Several lines: NFC, ``\\n`` newlines, tabs kept, other control characters dropped,
    trimmed."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or not is_control(c)).strip()


def without_controls(raw: str) -> str:
    """As typed, minus control characters other than line breaks and tabs: what every
    form field is before its own rule (:func:`one_line`, :func:`block`) reads it."""
    return "".join(c for c in raw if c in "\n\r\t" or not is_control(c))
