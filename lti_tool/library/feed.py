"""The course activity feed: what peers did with the library's items.

Rows of ``lib_event`` are written by the acts themselves (publish, comment, first rating,
answered request) in the act's transaction. The feed reads newest first with keyset
pagination on the event id (``ix_lib_event_course``), and shows only events about items
the course may still see: published, not deleted, not hidden; comments deleted or hidden
since drop out with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Row, and_, insert, or_, select

from lti_tool.domain.library.social import FEED_PAGE_SIZE, FeedVerb
from lti_tool.library.access import listed_in
from lti_tool.library.keyset import AnySelect, newest_first
from lti_tool.library.people import NAME_COLUMNS, name_of
from lti_tool.persistence.library_models import (
    LibraryComment,
    LibraryEvent,
    LibraryItem,
    TopicRequest,
)
from lti_tool.persistence.models import User

EXCERPT_CHARS = 160


class PublishedItem(Protocol):
    """What the feed and notifications need of a just-published item (a lib_item row,
    or an ``ItemTarget``)."""

    @property
    def id(self) -> int: ...

    @property
    def context_id(self) -> int: ...

    @property
    def author_id(self) -> int | None: ...


def record_event(
    connection: Connection,
    *,
    context_id: int,
    actor_id: int | None,
    verb: FeedVerb,
    item_id: int,
    comment_id: int | None = None,
    request_id: int | None = None,
    at: datetime | None = None,
) -> None:
    connection.execute(
        insert(LibraryEvent).values(
            context_id=context_id,
            actor_id=actor_id,
            verb=verb.value,
            item_id=item_id,
            comment_id=comment_id,
            request_id=request_id,
            at=at or datetime.now(UTC),
        )
    )


def record_published(connection: Connection, item: PublishedItem) -> None:
    """Tell the item's course that it was published (called by ``items.announce_published``, in
    its transaction). Once per item: approving, restoring or republishing an item that
    was already announced adds nothing."""
    already = connection.execute(
        select(LibraryEvent.id).where(
            LibraryEvent.item_id == item.id, LibraryEvent.verb == FeedVerb.PUBLISHED.value
        )
    ).first()
    if already is None:
        record_event(
            connection,
            context_id=item.context_id,
            actor_id=item.author_id,
            verb=FeedVerb.PUBLISHED,
            item_id=item.id,
        )


@dataclass(frozen=True)
class FeedEntry:
    id: int
    verb: str
    at: datetime
    actor_name: str
    item_key: str
    item_title: str
    comment_excerpt: str | None
    request_title: str | None


@dataclass(frozen=True)
class FeedPage:
    entries: tuple[FeedEntry, ...]
    # Pass as ``before`` for the next (older) page; None on the last page.
    next_before: int | None


def _excerpt(markdown: str | None) -> str | None:
    if markdown is None:
        return None
    flat = " ".join(markdown.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def feed_page(
    connection: Connection,
    *,
    context_id: int,
    before: int | None = None,
    limit: int = FEED_PAGE_SIZE,
) -> FeedPage:
    """Newest events of the course, ``limit`` at a time, older than event ``before``."""

    def window(cursor: int | None, size: int) -> AnySelect:
        query = select(LibraryEvent.id, LibraryEvent.item_id).where(
            LibraryEvent.context_id == context_id
        )
        if cursor is not None:
            query = query.where(LibraryEvent.id < cursor)
        return query.order_by(LibraryEvent.id.desc()).limit(size)

    def visible(candidates: Sequence[Row[Any]]) -> AnySelect:
        return (
            select(
                LibraryEvent.id,
                LibraryEvent.verb,
                LibraryEvent.at,
                LibraryItem.key,
                LibraryItem.title,
                LibraryComment.body_markdown,
                TopicRequest.title.label("request_title"),
                *NAME_COLUMNS,
            )
            .join(LibraryItem, LibraryItem.id == LibraryEvent.item_id)
            .outerjoin(LibraryComment, LibraryComment.id == LibraryEvent.comment_id)
            .outerjoin(TopicRequest, TopicRequest.id == LibraryEvent.request_id)
            .outerjoin(User, User.id == LibraryEvent.actor_id)
            .where(
                LibraryEvent.id.in_([row.id for row in candidates]),
                LibraryItem.id.in_({row.item_id for row in candidates}),
                listed_in(context_id),
                or_(
                    LibraryEvent.comment_id.is_(None),
                    and_(LibraryComment.deleted_at.is_(None), LibraryComment.hidden_at.is_(None)),
                ),
                or_(LibraryEvent.request_id.is_(None), TopicRequest.state != "hidden"),
            )
            .order_by(LibraryEvent.id.desc())
        )

    rows = newest_first(
        connection,
        window=window,
        rows=visible,
        before=before,
        wanted=limit + 1,
        chunk=limit * 3,
    )
    entries = tuple(
        FeedEntry(
            id=row.id,
            verb=row.verb,
            at=row.at,
            actor_name=name_of(row),
            item_key=row.key,
            item_title=row.title,
            comment_excerpt=_excerpt(row.body_markdown),
            request_title=row.request_title,
        )
        for row in rows[:limit]
    )
    return FeedPage(entries, entries[-1].id if len(rows) > limit else None)
