"""In-app notifications: replies, comments on your items, new items in what you follow,
answered topic requests (and moderation outcomes), each unread until read.

Fan-out to followers is one ``INSERT ... SELECT DISTINCT`` so a course with thousands of
followers costs one statement, and someone following both a topic and the author of an
item hears of it once. Notifications are per course: the inbox of a course shows only
that course's, and only about items the course may still see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union,
    update,
)
from sqlalchemy.orm import aliased

from lti_tool.domain.library.social import NotificationKind
from lti_tool.library.access import listed_in
from lti_tool.library.feed import PublishedItem
from lti_tool.library.keyset import AnySelect, newest_first
from lti_tool.library.people import NAME_COLUMNS, name_of
from lti_tool.persistence.library_models import (
    LibraryFollow,
    LibraryItem,
    LibraryItemTopic,
    LibraryNotification,
    TopicRequest,
    TopicRequestVote,
)
from lti_tool.persistence.models import User, UtcDateTime

INBOX_PAGE_SIZE = 50
_ABOUT = aliased(LibraryItem)
_ANSWERED_COLUMNS = (
    "user_id", "context_id", "kind", "actor_id", "item_id", "request_id", "created_at",
)  # fmt: skip


def _now() -> datetime:
    return datetime.now(UTC)


def notify_new_item(connection: Connection, item: PublishedItem) -> int:
    """Tell followers of the item's topics and of its author (called by
    ``items.announce_published`` once the item's topics are saved). Never the author;
    once per person; never twice for one item (an item approved after a hide is not
    news). Returns how many."""
    follows_item = or_(
        and_(
            LibraryFollow.target_kind == "topic",
            LibraryFollow.target_id.in_(
                select(LibraryItemTopic.topic_id).where(LibraryItemTopic.item_id == item.id)
            ),
        ),
        and_(
            LibraryFollow.target_kind == "author",
            LibraryFollow.target_id == item.author_id,
        ),
    )
    already = exists().where(
        LibraryNotification.user_id == LibraryFollow.user_id,
        LibraryNotification.item_id == item.id,
        LibraryNotification.kind == NotificationKind.NEW_ITEM.value,
    )
    followers = (
        select(
            LibraryFollow.user_id,
            literal(item.context_id),
            literal(NotificationKind.NEW_ITEM.value),
            literal(item.author_id, Integer()),
            literal(item.id),
            literal(_now(), UtcDateTime()),
        )
        .where(LibraryFollow.context_id == item.context_id, follows_item, ~already)
        .distinct()
    )
    if item.author_id is not None:
        followers = followers.where(LibraryFollow.user_id != item.author_id)
    result = connection.execute(
        insert(LibraryNotification)
        .from_select(
            ["user_id", "context_id", "kind", "actor_id", "item_id", "created_at"], followers
        )
        .returning(LibraryNotification.id)
    )
    return len(result.all())


def notify(
    connection: Connection,
    recipients: Iterable[int],
    *,
    context_id: int,
    kind: NotificationKind,
    actor_id: int | None,
    item_id: int | None = None,
    comment_id: int | None = None,
    request_id: int | None = None,
    message: str | None = None,
) -> None:
    """One notification to each of ``recipients`` (already chosen by the domain rules)."""
    rows = [
        {
            "user_id": person,
            "context_id": context_id,
            "kind": kind.value,
            "actor_id": actor_id,
            "item_id": item_id,
            "comment_id": comment_id,
            "request_id": request_id,
            "message": message,
            "created_at": _now(),
        }
        for person in sorted(set(recipients))
    ]
    if rows:
        connection.execute(insert(LibraryNotification), rows)


def notify_request_answered(
    connection: Connection, *, request_id: int, context_id: int, actor_id: int, item_id: int
) -> int:
    """Tell who asked and who upvoted (once each, never the person who answered)."""
    people = union(
        select(TopicRequest.requested_by.label("user_id")).where(
            TopicRequest.id == request_id, TopicRequest.requested_by.is_not(None)
        ),
        select(TopicRequestVote.user_id).where(TopicRequestVote.request_id == request_id),
    ).subquery()
    chosen = select(
        people.c.user_id,
        literal(context_id),
        literal(NotificationKind.REQUEST_ANSWERED.value),
        literal(actor_id),
        literal(item_id),
        literal(request_id),
        literal(_now(), UtcDateTime()),
    ).where(people.c.user_id != actor_id)
    result = connection.execute(
        insert(LibraryNotification)
        .from_select(_ANSWERED_COLUMNS, chosen)
        .returning(LibraryNotification.id)
    )
    return len(result.all())


def _shown(context_id: int) -> ColumnElement[bool]:
    """Notifications still worth showing: about no item (a request, a moderation note),
    a moderation outcome (the author hears of a hidden item too), or a visible item."""
    return or_(
        LibraryNotification.item_id.is_(None),
        LibraryNotification.kind == NotificationKind.MODERATION.value,
        exists().where(_ABOUT.id == LibraryNotification.item_id, listed_in(context_id, _ABOUT)),
    )


def unread_count(connection: Connection, *, user_id: int, context_id: int) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(LibraryNotification)
            .where(
                LibraryNotification.user_id == user_id,
                LibraryNotification.context_id == context_id,
                LibraryNotification.read_at.is_(None),
                _shown(context_id),
            )
        ).scalar_one()
    )


@dataclass(frozen=True)
class Notice:
    id: int
    kind: str
    at: datetime
    read: bool
    actor_name: str
    item_key: str | None
    item_title: str | None
    request_title: str | None
    message: str | None
    comment_id: int | None


@dataclass(frozen=True)
class Inbox:
    notices: tuple[Notice, ...]
    unread: int
    next_before: int | None


def inbox(
    connection: Connection,
    *,
    user_id: int,
    context_id: int,
    before: int | None = None,
    limit: int = INBOX_PAGE_SIZE,
) -> Inbox:
    """A person's notifications in a course, newest first, ``limit`` at a time."""
    mine = (
        LibraryNotification.user_id == user_id,
        LibraryNotification.context_id == context_id,
    )

    def window(cursor: int | None, size: int) -> AnySelect:
        query = select(LibraryNotification.id).where(*mine)
        if cursor is not None:
            query = query.where(LibraryNotification.id < cursor)
        return query.order_by(LibraryNotification.id.desc()).limit(size)

    def shown(candidates: Sequence[Row[Any]]) -> AnySelect:
        return (
            select(
                LibraryNotification.id,
                LibraryNotification.kind,
                LibraryNotification.created_at,
                LibraryNotification.read_at,
                LibraryNotification.message,
                LibraryNotification.comment_id,
                LibraryItem.key,
                LibraryItem.title,
                TopicRequest.title.label("request_title"),
                *NAME_COLUMNS,
            )
            .outerjoin(LibraryItem, LibraryItem.id == LibraryNotification.item_id)
            .outerjoin(TopicRequest, TopicRequest.id == LibraryNotification.request_id)
            .outerjoin(User, User.id == LibraryNotification.actor_id)
            .where(LibraryNotification.id.in_([row.id for row in candidates]), _shown(context_id))
            .order_by(LibraryNotification.id.desc())
        )

    rows = newest_first(
        connection, window=window, rows=shown, before=before, wanted=limit + 1, chunk=limit * 2
    )
    notices = tuple(
        Notice(
            id=row.id,
            kind=row.kind,
            at=row.created_at,
            read=row.read_at is not None,
            actor_name=name_of(row),
            item_key=row.key,
            item_title=row.title,
            request_title=row.request_title,
            message=row.message,
            comment_id=row.comment_id,
        )
        for row in rows[:limit]
    )
    return Inbox(
        notices=notices,
        unread=unread_count(connection, user_id=user_id, context_id=context_id),
        next_before=notices[-1].id if len(rows) > limit else None,
    )


def mark_read(
    connection: Connection, *, user_id: int, context_id: int, notification_id: int
) -> bool:
    """Mark one of the person's own notifications read; False when it is not theirs."""
    result = connection.execute(
        update(LibraryNotification)
        .where(
            LibraryNotification.id == notification_id,
            LibraryNotification.user_id == user_id,
            LibraryNotification.context_id == context_id,
        )
        .values(read_at=func.coalesce(LibraryNotification.read_at, literal(_now(), UtcDateTime())))
    )
    return bool(result.rowcount)


def mark_all_read(connection: Connection, *, user_id: int, context_id: int) -> int:
    result = connection.execute(
        update(LibraryNotification)
        .where(
            LibraryNotification.user_id == user_id,
            LibraryNotification.context_id == context_id,
            LibraryNotification.read_at.is_(None),
        )
        .values(read_at=_now())
    )
    return int(result.rowcount or 0)
