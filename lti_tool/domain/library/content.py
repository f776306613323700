"""Library items: the kinds on offer, what each needs, and the limits of every field.

A draft may be incomplete (a slide deck before its file is attached); publishing asks
:func:`publish_problems` for what is still missing. Field values are checked here and
only here, so the web form and any other entry point refuse the same things.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from lti_tool.domain.library.topics import TopicInvalid, TopicName, topic_list
from lti_tool.domain.library.video import VideoProviders, VideoRef, VideoRefused
from lti_tool.domain.text import block, has_control, one_line

TITLE_LIMIT = 255
SUMMARY_LIMIT = 1000
BODY_LIMIT = 100_000
TIP_BODY_LIMIT = 2000
URL_LIMIT = 2048
LINK_TITLE_LIMIT = 255
LINK_DESCRIPTION_LIMIT = 2000
ATTACHMENTS_PER_ITEM = 10


class ItemKind(enum.StrEnum):
    ARTICLE = "article"
    TIP = "tip"
    SLIDES = "slides"
    LINK = "link"
    VIDEO = "video"
    FILE = "file"


@dataclass(frozen=True)
class KindRules:
    label: str
    description: str
    body_required: bool = False
    body_limit: int = BODY_LIMIT
    link_required: bool = False
    video_required: bool = False
    # File types (lti_tool.domain.files keys) one of which must be attached to publish.
    attachment_types: frozenset[str] = frozenset()


SLIDE_TYPES = frozenset({"pptx", "odp", "pdf"})

RULES: Mapping[ItemKind, KindRules] = {
    ItemKind.ARTICLE: KindRules(
        "Article", "A written piece in Markdown, with optional files.", body_required=True
    ),
    ItemKind.TIP: KindRules(
        "Tip",
        f"A short tip (up to {TIP_BODY_LIMIT} characters).",
        body_required=True,
        body_limit=TIP_BODY_LIMIT,
    ),
    ItemKind.SLIDES: KindRules(
        "Slides", "A slide deck (PowerPoint, OpenDocument or PDF).", attachment_types=SLIDE_TYPES
    ),
    ItemKind.LINK: KindRules(
        "Link", "A link to a page elsewhere, with a title and why it is useful.", link_required=True
    ),
    ItemKind.VIDEO: KindRules(
        "Video", "A video from an allowed provider, shown embedded.", video_required=True
    ),
    ItemKind.FILE: KindRules(
        "File", "A document, image or PDF to download.", attachment_types=frozenset({"*"})
    ),
}


class ContentInvalid(ValueError):
    """Field mistakes: ``errors`` maps each field name to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ItemForm:
    """What an author typed, as text."""

    kind: str
    title: str = ""
    summary: str = ""
    body: str = ""
    link_url: str = ""
    link_title: str = ""
    link_description: str = ""
    video_url: str = ""
    topics: str = ""


@dataclass(frozen=True)
class ItemContent:
    """A checked item: every field within its limits, the video read into (provider, id)."""

    kind: ItemKind
    title: str
    summary: str
    body_markdown: str
    link_url: str | None
    link_title: str | None
    link_description: str | None
    video: VideoRef | None
    topics: tuple[TopicName, ...]


def parse_kind(raw: str) -> ItemKind:
    try:
        return ItemKind(raw)
    except ValueError:
        raise ContentInvalid({"kind": "Choose one of the offered kinds of item."}) from None


def check_link_url(raw: str) -> str:
    """An http(s) address without credentials; raises ValueError saying what is wrong."""
    text = raw.strip()
    if len(text) > URL_LIMIT:
        raise ValueError(f"A link can have at most {URL_LIMIT} characters.")
    if any(c.isspace() for c in text) or has_control(text):
        raise ValueError("A link cannot contain spaces or control characters.")
    try:
        parts = urlsplit(text)
        _port = parts.port  # a malformed port raises here
    except ValueError:
        raise ValueError("That is not a web address.") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValueError("A link must start with https:// or http:// and name a host.")
    if parts.username is not None or parts.password is not None:
        raise ValueError("A link cannot carry a user name or password.")
    return text


def check_item(form: ItemForm, *, providers: VideoProviders) -> ItemContent:
    """Check every field of ``form``; raises :class:`ContentInvalid` with all mistakes."""
    kind = parse_kind(form.kind)
    rules = RULES[kind]
    errors: dict[str, str] = {}
    title, summary, body = one_line(form.title), block(form.summary), block(form.body)
    if not title:
        errors["title"] = "Give the item a title."
    elif len(title) > TITLE_LIMIT:
        errors["title"] = f"A title can have at most {TITLE_LIMIT} characters."
    if len(summary) > SUMMARY_LIMIT:
        errors["summary"] = f"A summary can have at most {SUMMARY_LIMIT} characters."
    if len(body) > rules.body_limit:
        errors["body"] = f"The text can have at most {rules.body_limit} characters."
    elif rules.body_required and not body:
        errors["body"] = f"A {rules.label.lower()} needs some text."
    link_url = link_title = link_description = None
    if kind is ItemKind.LINK:
        link_url, link_title, link_description = _link(form, errors)
    video = None
    if kind is ItemKind.VIDEO:
        try:
            video = providers.read(form.video_url)
        except VideoRefused as refused:
            errors["video_url"] = str(refused)
    try:
        topics = topic_list(form.topics)
    except TopicInvalid as invalid:
        errors["topics"] = str(invalid)
        topics = ()
    if errors:
        raise ContentInvalid(errors)
    return ItemContent(
        kind, title, summary, body, link_url, link_title, link_description, video, topics
    )


def _link(form: ItemForm, errors: dict[str, str]) -> tuple[str | None, str | None, str | None]:
    url = None
    if not form.link_url.strip():
        errors["link_url"] = "A link needs its web address."
    else:
        try:
            url = check_link_url(form.link_url)
        except ValueError as refused:
            errors["link_url"] = str(refused)
    title, description = one_line(form.link_title), block(form.link_description)
    if len(title) > LINK_TITLE_LIMIT:
        errors["link_title"] = f"A link title can have at most {LINK_TITLE_LIMIT} characters."
    if len(description) > LINK_DESCRIPTION_LIMIT:
        errors["link_description"] = (
            f"A link description can have at most {LINK_DESCRIPTION_LIMIT} characters."
        )
    return url, title or None, description or None


def check_upload_name(raw: str) -> str:
    """An uploaded file's name as the browser sent it, refused when it tries to name a
    folder (``../``, ``C:\\``), or holds control characters. The name is never used on
    disk; refusing such names tells a probing client plainly that it gets nowhere."""
    name = unicodedata.normalize("NFC", raw).strip()
    if not name:
        raise ValueError("The file has no name.")
    if len(name) > URL_LIMIT:
        raise ValueError("The file's name is too long.")
    if has_control(name):
        raise ValueError("A file name cannot contain control characters.")
    parts = name.replace("\\", "/").split("/")
    if len(parts) > 1 or name in {".", ".."} or (len(name) > 1 and name[1] == ":"):
        raise ValueError("A file name cannot contain a folder or drive (/, \\, .., C:).")
    return name


def publish_problems(kind: ItemKind, attached_types: Collection[str]) -> tuple[str, ...]:
    """What an item still lacks before it can be published (fields are checked on save)."""
    wanted = RULES[kind].attachment_types
    if not wanted:
        return ()
    if "*" in wanted and attached_types:
        return ()
    if wanted & set(attached_types):
        return ()
    if "*" in wanted:
        return ("Attach a file before publishing.",)
    return ("Attach the slides (PowerPoint, OpenDocument or PDF) before publishing.",)
