"""Authoring library items: drafts, versions, publishing, restoring and soft deletion.

Every save is a version: ``lib_item`` holds the current state and ``lib_item_version``
every state ever saved (topics included), so history can show and restore any of them.
A save names the version it was edited from; when someone saved in between, the save is
refused instead of silently overwriting their work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markdown_it import MarkdownIt
from sqlalchemy import Connection, insert, select, update

from lti_tool.domain.errors import BadRequest, NotFound, PeerlearnError
from lti_tool.domain.library.content import ItemContent, ItemKind, publish_problems
from lti_tool.domain.library.permissions import deleted, not_found
from lti_tool.domain.library.topics import TopicInvalid, topic
from lti_tool.domain.library.versions import FIELD_LABELS, Snapshot, changed_fields
from lti_tool.domain.library.video import VideoRef
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library import feed, notifications
from lti_tool.library.attachments import type_key
from lti_tool.library.item_statements import record_about_item, void_item_statements
from lti_tool.library.topics import ensure_topics, set_item_topics
from lti_tool.persistence.library_models import (
    LibraryAttachment,
    LibraryAudit,
    LibraryCourse,
    LibraryItem,
    LibraryItemVersion,
)
from lti_tool.rich_text import sanitise
from xapi import library as statements

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


class EditConflict(PeerlearnError):
    code = "library_edit_conflict"
    status = 409
    title = "Someone saved this item meanwhile"
    advice = "Open the item again to see the latest version, then redo your change."


class NotPublishable(BadRequest):
    code = "library_not_publishable"
    status = 422
    title = "This item cannot be published yet"
    advice = "Complete what is missing and publish again."


@dataclass(frozen=True)
class Created:
    id: int
    key: str


def render_body(markdown: str) -> str:
    """Sanitised HTML of an item's Markdown text (stored beside it, shown as is)."""
    return sanitise(_MARKDOWN.render(markdown)) if markdown.strip() else ""


def _columns(content: ItemContent) -> dict[str, Any]:
    return {
        "title": content.title,
        "summary": content.summary,
        "body_markdown": content.body_markdown,
        "link_url": content.link_url,
        "link_title": content.link_title,
        "link_description": content.link_description,
        "video_provider": content.video.provider if content.video else None,
        "video_id": content.video.video_id if content.video else None,
    }


def _save_version(
    connection: Connection,
    *,
    item_id: int,
    context_id: int,
    number: int,
    content: ItemContent,
    editor_id: int,
    now: datetime,
) -> None:
    topics = ensure_topics(
        connection, context_id=context_id, topics=content.topics, created_by=editor_id, now=now
    )
    set_item_topics(connection, item_id, topics)
    connection.execute(
        insert(LibraryItemVersion).values(
            item_id=item_id,
            number=number,
            topics=[t.name for t in topics],
            edited_by=editor_id,
            created_at=now,
            **_columns(content),
        )
    )


def create_draft(
    connection: Connection,
    *,
    context_id: int,
    author_id: int,
    content: ItemContent,
    now: datetime,
    recorder: Recorder,
) -> Created:
    """A new item in state "draft", version 1; records "authored"."""
    key = str(uuid.uuid4())
    item_id = connection.execute(
        insert(LibraryItem)
        .values(
            key=key,
            context_id=context_id,
            author_id=author_id,
            kind=content.kind.value,
            state="draft",
            body_html=render_body(content.body_markdown),
            version=1,
            created_at=now,
            updated_at=now,
            **_columns(content),
        )
        .returning(LibraryItem.id)
    ).scalar_one()
    _save_version(
        connection,
        item_id=item_id,
        context_id=context_id,
        number=1,
        content=content,
        editor_id=author_id,
        now=now,
    )
    record_about_item(recorder, connection, item_id, author_id, statements.authored, at=now)
    return Created(item_id, key)


def item_row(connection: Connection, item_id: int) -> Any:
    found = connection.execute(select(LibraryItem).where(LibraryItem.id == item_id)).one_or_none()
    if found is None:
        raise not_found()
    return found


def save(
    connection: Connection,
    *,
    item_id: int,
    editor_id: int,
    content: ItemContent,
    edited_from: int,
    now: datetime,
    recorder: Recorder,
    editor_is_staff: bool = False,
) -> int:
    """Save ``content`` as the next version of the item (edited from version
    ``edited_from``); records "edited". Returns the new version number.

    In a course whose items need approval, a learner's change to a published item goes
    back to staff ("pending"): approval would mean little if the approved text could
    then be replaced freely."""
    item = item_row(connection, item_id)
    if content.kind.value != item.kind:
        raise BadRequest("An item's kind cannot change.", code="library_kind_change")
    changed = connection.execute(
        update(LibraryItem)
        .where(
            LibraryItem.id == item_id,
            LibraryItem.version == edited_from,
            LibraryItem.deleted_at.is_(None),
        )
        .values(
            version=LibraryItem.version + 1,
            body_html=render_body(content.body_markdown),
            updated_at=now,
            **_columns(content),
        )
    ).rowcount
    if changed != 1:
        raise EditConflict(
            f"This item is at version {item.version} now; you edited version {edited_from}."
        )
    number = edited_from + 1
    _save_version(
        connection,
        item_id=item_id,
        context_id=item.context_id,
        number=number,
        content=content,
        editor_id=editor_id,
        now=now,
    )
    if (
        item.state == "published"
        and not editor_is_staff
        and moderation_policy(connection, item.context_id) == "approval"
    ):
        connection.execute(
            update(LibraryItem)
            .where(LibraryItem.id == item_id, LibraryItem.state == "published")
            .values(state="pending")
        )
    record_about_item(
        recorder, connection, item_id, editor_id, statements.edited, version=number, at=now
    )
    return number


def versions(connection: Connection, item_id: int) -> Sequence[Any]:
    return connection.execute(
        select(LibraryItemVersion)
        .where(LibraryItemVersion.item_id == item_id)
        .order_by(LibraryItemVersion.number.desc())
    ).all()


def changes(saved: Sequence[Any]) -> dict[int, tuple[str, ...]]:
    """For each version number, the fields it changed from the version before."""
    snapshots = [
        Snapshot(
            row.number,
            {
                **{name: getattr(row, name) for name in FIELD_LABELS if name not in _DERIVED},
                "video": (row.video_provider, row.video_id),
                "topics": sorted(row.topics or []),
            },
        )
        for row in sorted(saved, key=lambda row: row.number)
    ]
    before: Snapshot | None = None
    found = {}
    for snapshot in snapshots:
        found[snapshot.number] = changed_fields(before, snapshot)
        before = snapshot
    return found


_DERIVED = frozenset({"video", "topics"})


def version(connection: Connection, item_id: int, number: int) -> Any:
    found = connection.execute(
        select(LibraryItemVersion).where(
            LibraryItemVersion.item_id == item_id, LibraryItemVersion.number == number
        )
    ).one_or_none()
    if found is None:
        raise NotFound(f"This item has no version {number}.", code="library_version_not_found")
    return found


def content_of_version(kind: str, row: Any) -> ItemContent:
    """A saved version as content to save again (topics re-checked by today's rules)."""
    names = []
    for name in row.topics or []:
        try:
            names.append(topic(str(name)))
        except TopicInvalid:
            continue
    return ItemContent(
        kind=ItemKind(kind),
        title=row.title,
        summary=row.summary,
        body_markdown=row.body_markdown,
        link_url=row.link_url,
        link_title=row.link_title,
        link_description=row.link_description,
        video=VideoRef(row.video_provider, row.video_id) if row.video_provider else None,
        topics=tuple(names),
    )


def restore(
    connection: Connection,
    *,
    item_id: int,
    number: int,
    editor_id: int,
    edited_from: int,
    now: datetime,
    recorder: Recorder,
    editor_is_staff: bool = False,
) -> int:
    """Save version ``number`` again as the newest version; history keeps everything."""
    item = item_row(connection, item_id)
    old = version(connection, item_id, number)
    return save(
        connection,
        item_id=item_id,
        editor_id=editor_id,
        content=content_of_version(item.kind, old),
        edited_from=edited_from,
        now=now,
        recorder=recorder,
        editor_is_staff=editor_is_staff,
    )


def moderation_policy(connection: Connection, context_id: int) -> str:
    found = connection.execute(
        select(LibraryCourse.moderation).where(LibraryCourse.context_id == context_id)
    ).scalar_one_or_none()
    return found or "open"


def attached_types(connection: Connection, item_id: int) -> list[str]:
    rows = connection.execute(
        select(LibraryAttachment.media_type).where(
            LibraryAttachment.item_id == item_id, LibraryAttachment.removed_at.is_(None)
        )
    ).scalars()
    return [key for key in (type_key(media) for media in rows) if key]


def publish(connection: Connection, *, item_id: int, actor_is_staff: bool, now: datetime) -> str:
    """Publish a draft, or send it to staff when the course approves items first
    (staff publish at once). Returns the new state."""
    item = item_row(connection, item_id)
    if item.deleted_at is not None or item.state != "draft":
        raise BadRequest("Only a draft can be published.", code="library_not_draft")
    problems = publish_problems(ItemKind(item.kind), attached_types(connection, item_id))
    if problems:
        raise NotPublishable(" ".join(problems))
    approval = moderation_policy(connection, item.context_id) == "approval"
    state = "pending" if approval and not actor_is_staff else "published"
    changed = connection.execute(
        update(LibraryItem)
        .where(LibraryItem.id == item_id, LibraryItem.state == "draft")
        .values(
            state=state,
            updated_at=now,
            published_at=now if state == "published" else None,
        )
    ).rowcount
    if changed != 1:
        raise BadRequest("Only a draft can be published.", code="library_not_draft")
    if state == "published":
        announce_published(connection, item_row(connection, item_id))
    return state


def announce_published(connection: Connection, item: feed.PublishedItem) -> None:
    """An item just became published (by its author, or approved or restored by staff):
    the course feed and the followers of its topics and author hear of it, once."""
    feed.record_published(connection, item)
    notifications.notify_new_item(connection, item)


def soft_delete(
    connection: Connection,
    *,
    item_id: int,
    actor_id: int,
    now: datetime,
    recorder: Recorder,
) -> None:
    """Delete an item for everyone but the audit: keep its rows, mark it deleted, log
    who did it, and void its authored and edited statements."""
    item = item_row(connection, item_id)
    changed = connection.execute(
        update(LibraryItem)
        .where(LibraryItem.id == item_id, LibraryItem.deleted_at.is_(None))
        .values(deleted_at=now, deleted_by=actor_id, updated_at=now)
    ).rowcount
    if changed != 1:
        raise deleted("This item was deleted already.")
    connection.execute(
        insert(LibraryAudit).values(
            context_id=item.context_id,
            actor_id=actor_id,
            action="deleted",
            target_kind="item",
            target_id=item_id,
            details={"title": item.title, "state": item.state, "version": item.version},
            at=now,
        )
    )
    targets = [statements.authored_id(item.key)] + [
        statements.edited_id(item.key, number) for number in range(2, item.version + 1)
    ]
    void_item_statements(recorder, connection, item_id, actor_id, targets, at=now)
