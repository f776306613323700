"""Reading the library: views counted once per person per hour, and the lists of
items the authoring pages and the picker show."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from lti_tool.learning_records.recorder import Recorder
from lti_tool.library.item_statements import record_about_item
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.library_models import LibraryItem, LibraryView
from xapi import library as statements

VIEW_INTERVAL = timedelta(hours=1)


def record_view(
    connection: Connection,
    *,
    item_id: int,
    viewer_id: int,
    context_id: int,
    now: datetime,
    recorder: Recorder,
) -> bool:
    """Count a view and record "viewed", at most once per person per item per hour
    (two tabs opening at once still count once: the hour is claimed by one update)."""
    connection.execute(
        dialect_insert(connection)(LibraryView)
        .values(
            item_id=item_id,
            user_id=viewer_id,
            first_viewed_at=now,
            recorded_at=now - VIEW_INTERVAL - timedelta(seconds=1),
        )
        .on_conflict_do_nothing(index_elements=["item_id", "user_id"])
    )
    claimed = connection.execute(
        update(LibraryView)
        .where(
            LibraryView.item_id == item_id,
            LibraryView.user_id == viewer_id,
            LibraryView.recorded_at <= now - VIEW_INTERVAL,
        )
        .values(recorded_at=now)
    ).rowcount
    if claimed != 1:
        return False
    connection.execute(
        update(LibraryItem)
        .where(LibraryItem.id == item_id)
        .values(view_count=LibraryItem.view_count + 1)
    )
    record_about_item(
        recorder, connection, item_id, viewer_id, statements.viewed, context_id=context_id, at=now
    )
    return True


def items_of_author(connection: Connection, *, context_id: int, author_id: int) -> Sequence[Any]:
    """An author's items in a course, newest first, deleted ones left out."""
    return connection.execute(
        select(
            LibraryItem.id,
            LibraryItem.key,
            LibraryItem.kind,
            LibraryItem.title,
            LibraryItem.state,
            LibraryItem.version,
            LibraryItem.updated_at,
            LibraryItem.view_count,
        )
        .where(
            LibraryItem.context_id == context_id,
            LibraryItem.author_id == author_id,
            LibraryItem.deleted_at.is_(None),
        )
        .order_by(LibraryItem.updated_at.desc(), LibraryItem.id.desc())
    ).all()


def published_items(connection: Connection, context_id: int, *, limit: int = 200) -> Sequence[Any]:
    """A course's published items (key, title), newest first, for pickers."""
    return connection.execute(
        select(LibraryItem.key, LibraryItem.title)
        .where(
            LibraryItem.context_id == context_id,
            LibraryItem.state == "published",
            LibraryItem.deleted_at.is_(None),
        )
        .order_by(LibraryItem.published_at.desc(), LibraryItem.id.desc())
        .limit(limit)
    ).all()
