"""Uploaded files judged by their content, never by their name.

A file named ``essay.pdf`` that starts like a Windows executable is not a PDF. Types are
recognised from their first bytes; office documents are ZIP files told apart by the
part names their format requires. Names given by uploaders are never used to store or
serve a file: they are cleaned for display only, and downloads get a neutral name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

HEAD_BYTES = 8192


@dataclass(frozen=True)
class FileType:
    key: str  # what activity settings name, e.g. "pdf"
    media_type: str
    extension: str
    label: str


PDF = FileType("pdf", "application/pdf", "pdf", "PDF document")
PNG = FileType("png", "image/png", "png", "PNG image")
JPEG = FileType("jpeg", "image/jpeg", "jpg", "JPEG image")
GIF = FileType("gif", "image/gif", "gif", "GIF image")
DOCX = FileType(
    "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    "Word document",
)
PPTX = FileType(
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pptx",
    "PowerPoint slides",
)
XLSX = FileType(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    "Excel workbook",
)
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", "odt", "OpenDocument text")
ODP = FileType(
    "odp", "application/vnd.oasis.opendocument.presentation", "odp", "OpenDocument slides"
)
TEXT = FileType("txt", "text/plain", "txt", "plain text")

FILE_TYPES = {kind.key: kind for kind in (PDF, PNG, JPEG, GIF, DOCX, PPTX, XLSX, ODT, ODP, TEXT)}
# Types a browser may show inline: images and PDF never run script in our origin's
# context when served with nosniff and a sandboxing CSP.
INLINE_TYPES = frozenset({PDF.key, PNG.key, JPEG.key, GIF.key})

_OOXML = (
    (b"word/", DOCX),
    (b"ppt/", PPTX),
    (b"xl/", XLSX),
)
_ODF = (
    (b"application/vnd.oasis.opendocument.text", ODT),
    (b"application/vnd.oasis.opendocument.presentation", ODP),
)


_SIGNATURES: tuple[tuple[tuple[bytes, ...], FileType], ...] = (
    ((b"%PDF-",), PDF),
    ((b"\x89PNG\r\n\x1a\n",), PNG),
    ((b"\xff\xd8\xff",), JPEG),
    ((b"GIF87a", b"GIF89a"), GIF),
)


def sniff(head: bytes) -> FileType | None:
    """The type of a file from its first bytes (at least ``HEAD_BYTES`` when it has
    them), or None when it is none of the accepted types."""
    for prefixes, kind in _SIGNATURES:
        if head.startswith(prefixes):
            return kind
    if head.startswith(b"PK\x03\x04"):
        return _office_document(head)
    return TEXT if _is_text(head) else None


def _office_document(head: bytes) -> FileType | None:
    # ODF stores its mimetype uncompressed as the first entry; OOXML names its parts.
    if head[30:38] == b"mimetype":
        return next((kind for marker, kind in _ODF if marker in head[:200]), None)
    return next((kind for marker, kind in _OOXML if marker in head), None)


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 3:
            return False
        text = head[: error.start].decode("utf-8")
    controls = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in "\t\n\r\f"
    )
    return controls == 0


_UNSAFE = re.compile(r"[^\w .()+-]+", re.UNICODE)


def display_name(uploaded: str, kind: FileType, *, limit: int = 120) -> str:
    """A name safe to show and to offer in a download: no path, no control characters,
    the extension of the type the content really has."""
    base = uploaded.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._") or "file"
    return f"{stem[:limit]}.{kind.extension}"
