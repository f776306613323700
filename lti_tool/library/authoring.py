"""The authoring acts of the library: one function per thing a person does on the item
pages (write, edit, publish, delete, attach, restore; read an item, its history, their
own items), each in its own transaction.

The web layer has already opened the item as the viewer may see it
(:class:`~lti_tool.library.access.ItemAccess`) and refused what they may not do; these
functions check the content, change the rows and record the statements. They know
nothing of Flask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from lti_tool.domain.errors import NotFound
from lti_tool.domain.library.content import ContentInvalid, ItemForm, check_item
from lti_tool.domain.library.permissions import Viewer
from lti_tool.domain.library.video import VideoProviders
from lti_tool.file_store import FileStore
from lti_tool.launch_session import LaunchSession
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library import (
    access,
    attachments,
    comments,
    items,
    moderation,
    reading,
    topics,
    votes,
)
from lti_tool.library.access import Actor, CourseViewer, ItemAccess
from lti_tool.library.attachments import Attachment
from lti_tool.library.people import names_of

ITEM_STATES = ("draft", "pending", "published", "hidden")
VERSION_LOST = "Reload the page and edit again."


def open_item(engine: Engine, launch: LaunchSession, key: str, need: str = "view") -> ItemAccess:
    """The item ``key`` names as the launch's person may see it (404 otherwise), if they
    may do ``need`` with it (an :class:`~lti_tool.domain.library.permissions.Allowed`
    field; 403 otherwise)."""
    with engine.connect() as connection:
        found = access.open_item(connection, launch, key)
    access.require(found, need)
    return found


def create_item(
    engine: Engine,
    viewer: CourseViewer,
    form: ItemForm,
    *,
    providers: VideoProviders,
    now: datetime,
    recorder: Recorder,
) -> items.Created:
    """A new draft in the viewer's course; :class:`ContentInvalid` names any mistakes."""
    content = check_item(form, providers=providers)
    with engine.begin() as connection:
        return items.create_draft(
            connection,
            context_id=viewer.context_id,
            author_id=viewer.user_id,
            content=content,
            now=now,
            recorder=recorder,
        )


def save_item(
    engine: Engine,
    found: ItemAccess,
    editor: Actor,
    form: ItemForm,
    *,
    edited_from: int | None,
    providers: VideoProviders,
    now: datetime,
    recorder: Recorder,
) -> int:
    """Save ``form`` as the item's next version, edited from ``edited_from`` (None if the
    page sent no version: the person reloads). Returns the new version number."""
    if edited_from is None:
        raise ContentInvalid({"version": VERSION_LOST})
    content = check_item(form, providers=providers)
    with engine.begin() as connection:
        return items.save(
            connection,
            item_id=found.item.id,
            editor_id=editor.user_id,
            content=content,
            edited_from=edited_from,
            now=now,
            recorder=recorder,
            editor_is_staff=editor.is_staff,
        )


def publish_item(engine: Engine, found: ItemAccess, actor: Actor, *, now: datetime) -> str:
    """Publish the draft (or send it to staff first); returns the new state."""
    with engine.begin() as connection:
        return items.publish(
            connection, item_id=found.item.id, actor_is_staff=actor.is_staff, now=now
        )


def delete_item(
    engine: Engine, found: ItemAccess, actor: Actor, *, now: datetime, recorder: Recorder
) -> None:
    with engine.begin() as connection:
        items.soft_delete(
            connection, item_id=found.item.id, actor_id=actor.user_id, now=now, recorder=recorder
        )


def restore_version(
    engine: Engine,
    found: ItemAccess,
    editor: Actor,
    *,
    number: int,
    edited_from: int | None,
    now: datetime,
    recorder: Recorder,
) -> int:
    """Save version ``number`` again as the newest; returns the new version number."""
    with engine.begin() as connection:
        return items.restore(
            connection,
            item_id=found.item.id,
            number=number,
            editor_id=editor.user_id,
            edited_from=-1 if edited_from is None else edited_from,
            now=now,
            recorder=recorder,
            editor_is_staff=editor.is_staff,
        )


@dataclass(frozen=True)
class ItemPage:
    """What the item page shows a viewer who may see it."""

    topics: list[topics.Topic]
    files: list[Attachment]
    author_name: str
    own: bool
    panels: dict[str, Any] = field(default_factory=dict)


def read_item(
    engine: Engine, found: ItemAccess, reader: Actor, *, now: datetime, recorder: Recorder
) -> ItemPage:
    """The item page; reading another person's published item counts as a view."""
    item = found.item
    with engine.begin() as connection:
        if item.state == "published" and item.author_id != reader.user_id:
            reading.record_view(
                connection,
                item_id=item.id,
                viewer_id=reader.user_id,
                context_id=found.context_id,
                now=now,
                recorder=recorder,
            )
        item_topics = topics.topics_of_item(connection, item.id)
        files = attachments.attachments_of(connection, item.id)
        author = names_of(connection, {item.author_id}).get(item.author_id or 0)
        panels: dict[str, Any] = {}
        if found.allowed.interact:
            # Hidden comments are read by the staff who moderate the item (its own
            # course's), not by staff of a course it was shared to.
            viewer = Viewer(reader.user_id, is_staff=found.allowed.moderate)
            panels["comments"] = comments.thread_for(connection, item.id, viewer)
            panels["vote"] = votes.vote_panel(
                connection, item.id, reader.user_id, context_id=found.context_id
            )
        own = item.author_id is not None and item.author_id == reader.user_id
        if own and item.state in {"hidden", "pending"}:
            panels["moderation_notice"] = moderation.author_notice(
                connection, item_id=item.id, author_id=reader.user_id
            )
    return ItemPage(item_topics, files, author or "Former participant", own, panels)


@dataclass(frozen=True)
class EditPage:
    topic_names: list[str]
    files: list[Attachment]


def edit_page(engine: Engine, found: ItemAccess) -> EditPage:
    """The edit form's topics and the item's files."""
    with engine.connect() as connection:
        names = [t.name for t in topics.topics_of_item(connection, found.item.id)]
        return EditPage(names, attachments.attachments_of(connection, found.item.id))


def files_of(engine: Engine, found: ItemAccess) -> list[Attachment]:
    with engine.connect() as connection:
        return attachments.attachments_of(connection, found.item.id)


def my_items(engine: Engine, viewer: CourseViewer) -> dict[str, list[Any]]:
    """The viewer's items in their course, by state."""
    with engine.connect() as connection:
        rows = reading.items_of_author(
            connection, context_id=viewer.context_id, author_id=viewer.user_id
        )
    return {state: [row for row in rows if row.state == state] for state in ITEM_STATES}


# -- Files ---------------------------------------------------------------------------


def attach_files(
    engine: Engine,
    found: ItemAccess,
    uploads: Sequence[tuple[str, IO[bytes]]],
    *,
    files_dir: Path,
    max_bytes: int,
    now: datetime,
) -> list[int]:
    """Store and attach the uploads (each judged by its content)."""
    return attachments.attach(
        engine.begin,
        store=FileStore(files_dir),
        item_id=found.item.id,
        uploads=uploads,
        max_bytes=max_bytes,
        now=now,
    )


def remove_file(
    engine: Engine, found: ItemAccess, attachment_id: int, *, files_dir: Path, now: datetime
) -> None:
    with engine.begin() as connection:
        attachments.remove(
            connection,
            store=FileStore(files_dir),
            item_id=found.item.id,
            attachment_id=attachment_id,
            now=now,
        )


@dataclass(frozen=True)
class Download:
    path: Path
    media_type: str
    headers: dict[str, str]


def download(engine: Engine, found: ItemAccess, attachment_id: int, *, files_dir: Path) -> Download:
    """The stored file and the headers it is sent with (404 once it is gone)."""
    with engine.connect() as connection:
        stored = attachments.stored_file(connection, found.item.id, attachment_id)
    path = FileStore(files_dir).path(stored.storage_key)
    if not path.is_file():
        raise NotFound("This file is no longer stored.", code="file_not_found")
    headers = attachments.download_headers(stored.media_type, stored.display_name)
    return Download(path, stored.media_type, headers)


# -- History -------------------------------------------------------------------------


@dataclass(frozen=True)
class History:
    versions: Sequence[Any]
    changes: dict[int, tuple[str, ...]]
    names: dict[int, str]
    shown: Any = None  # one version, when one is asked for


def history(engine: Engine, found: ItemAccess, number: int | None = None) -> History:
    """Every saved version of the item, and version ``number`` if given."""
    with engine.connect() as connection:
        saved = items.versions(connection, found.item.id)
        shown = items.version(connection, found.item.id, number) if number is not None else None
        names = names_of(connection, (row.edited_by for row in saved))
    return History(saved, items.changes(saved), names, shown)
