"""Submitting work: one operation for a learner's act of handing in (text, a link, files).

The files are stored before the transaction and removed again if anything fails, so a
refused submission keeps nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from markdown_it import MarkdownIt
from sqlalchemy import Connection, Engine

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.errors import BadRequest
from lti_tool.domain.files import FILE_TYPES, display_name
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.domain.peer_review.submission_rules import SubmissionWindow
from lti_tool.file_store import FileStore
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import grading, groups, submissions
from lti_tool.rich_text import is_blank, sanitise

MAX_FILES = 5
LINK_LIMIT = 2048
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@dataclass(frozen=True)
class FileSent:
    """A file as the browser sent it: its bytes and the name it had on the learner's disk."""

    stream: IO[bytes]
    filename: str


def markdown_html(markdown: str) -> str | None:
    """Markdown as sanitised HTML, or ``None`` for text with nothing in it."""
    return sanitise(_MARKDOWN.render(markdown)) if markdown.strip() else None


def rich_text(markdown: str) -> str | None:
    """Like :func:`markdown_html`, but HTML that shows nothing is ``None`` too."""
    html = sanitise(_MARKDOWN.render(markdown)) if markdown.strip() else ""
    return None if not html or is_blank(html) else html


def accepted_files(settings: PeerReviewSettings) -> list[str]:
    """The keys of :data:`FILE_TYPES` the activity takes."""
    wanted = {item.lower().lstrip(".") for item in settings.file_types}
    return [
        key for key, kind in FILE_TYPES.items() if {key, kind.extension, kind.media_type} & wanted
    ]


def submission_window(
    connection: Connection, activity_id: int, settings: PeerReviewSettings
) -> SubmissionWindow:
    """When the activity takes work: its dates, and whether reviews are allocated yet."""
    found = grading.phase(connection, activity_id)
    return SubmissionWindow(
        opens=settings.submissions_open,
        due=settings.submissions_due,
        late_allowed=settings.late_submissions,
        allocated=found is not None and found.allocated_at is not None,
    )


def submit_work(
    engine: Engine,
    store: FileStore,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    author_id: int,
    markdown: str,
    link: str,
    files: Sequence[FileSent],
    now: datetime,
    recorder: Recorder,
) -> submissions.Receipt:
    """Record a learner's work (or a new version of it) and queue its grade state."""
    text_html = markdown_html(markdown)
    link_url = link.strip() or None
    if link_url and not link_url.startswith(("https://", "http://")):
        raise BadRequest("A link must start with https:// or http://.", code="bad_link")
    if link_url and len(link_url) > LINK_LIMIT:
        raise BadRequest("That link is too long.", code="bad_link")
    sent = [item for item in files if item.filename]
    if len(sent) > MAX_FILES:
        raise BadRequest(f"At most {MAX_FILES} files at once.", code="too_many_files")
    allowed = frozenset(accepted_files(settings))
    stored: list[submissions.Upload] = []
    try:
        for item in sent:
            saved = store.save(item.stream, max_bytes=settings.max_file_bytes, allowed=allowed)
            stored.append(submissions.Upload(saved, display_name(item.filename, saved.kind)))
        with engine.connect() as connection:
            window = submission_window(connection, activity.id, settings)
        with engine.begin() as connection:
            receipt = submissions.submit(
                connection,
                activity_id=activity.id,
                author_id=author_id,
                window=window,
                accepts=frozenset(kind.value for kind in settings.submission_types),
                text_html=text_html,
                link_url=link_url,
                uploads=stored,
                now=now,
                recorder=recorder,
                group_key=groups.groups_of(connection, activity.id).get(author_id),
            )
            grading.publish_submitted(connection, activity=activity, author_id=author_id, now=now)
    except Exception:
        for upload in stored:  # nothing recorded: nothing kept
            store.remove(upload.stored.storage_key)
        raise
    return receipt
