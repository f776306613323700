"""Comments and replies on library items: Markdown in, sanitised HTML stored beside it.

Each act runs in the caller's transaction and keeps ``lib_item.comment_count`` equal to
the item's comments and replies that are not deleted (a conditional UPDATE decides who
deletes, so a double click cannot count twice). A comment writes a feed event, tells
the people the domain rules name, and records an xAPI statement.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from markdown_it import MarkdownIt
from sqlalchemy import Connection, insert, select, update

from lti_tool.domain.errors import Forbidden
from lti_tool.domain.library.permissions import deleted, not_found
from lti_tool.domain.library.social import (
    CommentRef,
    FeedVerb,
    NotificationKind,
    SocialRefused,
    check_comment,
    comment_recipients,
    may_change_comment,
    place_reply,
    reply_recipients,
)
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library import feed, notifications
from lti_tool.library.access import Actor, CourseViewer, item_to_interact
from lti_tool.library.item_statements import record_about_item
from lti_tool.library.people import NAME_COLUMNS, name_of
from lti_tool.persistence.library_models import LibraryComment, LibraryItem
from lti_tool.persistence.models import User
from lti_tool.rich_text import sanitise
from xapi import library as statements

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render(markdown: str) -> str:
    """A comment's HTML: Markdown without raw HTML, then the nh3 allow-list."""
    return sanitise(_MARKDOWN.render(markdown))


def _now() -> datetime:
    return datetime.now(UTC)


def _comment_on(connection: Connection, item: Any, comment_id: int) -> CommentRef:
    """A live (not deleted, not hidden) comment of ``item``, or NotFound."""
    row = connection.execute(
        select(LibraryComment.id, LibraryComment.parent_id, LibraryComment.author_id).where(
            LibraryComment.id == comment_id,
            LibraryComment.item_id == item.id,
            LibraryComment.deleted_at.is_(None),
            LibraryComment.hidden_at.is_(None),
        )
    ).one_or_none()
    if row is None:
        raise not_found("There is no such comment in this course's library.")
    return CommentRef(*row)


def add_comment(
    connection: Connection,
    viewer: CourseViewer,
    *,
    item_key: str,
    markdown: str,
    reply_to: int | None = None,
    recorder: Recorder | None = None,
    now: datetime | None = None,
) -> int:
    """Comment on an item, or reply to one of its comments; returns the new comment's id."""
    now = now or _now()
    item = item_to_interact(connection, viewer, key=item_key)
    text = check_comment(markdown)
    answered = _comment_on(connection, item, reply_to) if reply_to is not None else None
    placement = place_reply(answered) if answered is not None else None
    comment_id = connection.execute(
        insert(LibraryComment)
        .values(
            item_id=item.id,
            parent_id=placement.parent_id if placement else None,
            author_id=viewer.user_id,
            body_markdown=text,
            body_html=render(text),
            created_at=now,
        )
        .returning(LibraryComment.id)
    ).scalar_one()
    connection.execute(
        update(LibraryItem)
        .where(LibraryItem.id == item.id)
        .values(comment_count=LibraryItem.comment_count + 1)
    )
    feed.record_event(
        connection,
        context_id=viewer.context_id,
        actor_id=viewer.user_id,
        verb=FeedVerb.COMMENTED,
        item_id=item.id,
        comment_id=comment_id,
        at=now,
    )
    if placement is not None and answered is not None:
        notifications.notify(
            connection,
            reply_recipients(
                actor_id=viewer.user_id, answered_author_id=placement.answers_author_id
            ),
            context_id=viewer.context_id,
            kind=NotificationKind.REPLY,
            actor_id=viewer.user_id,
            item_id=item.id,
            comment_id=comment_id,
        )
    else:
        # The author hears of it in the item's own course (a shared item's author may
        # not be in the commenter's course).
        notifications.notify(
            connection,
            comment_recipients(actor_id=viewer.user_id, item_author_id=item.author_id),
            context_id=item.context_id,
            kind=NotificationKind.COMMENT,
            actor_id=viewer.user_id,
            item_id=item.id,
            comment_id=comment_id,
        )
    if recorder is not None:
        if answered is not None:
            record_about_item(
                recorder,
                connection,
                item.id,
                viewer.user_id,
                statements.replied,
                context_id=viewer.context_id,
                comment_pk=comment_id,
                parent_comment_pk=answered.id,
                text=text,
                at=now,
            )
        else:
            record_about_item(
                recorder,
                connection,
                item.id,
                viewer.user_id,
                statements.commented,
                context_id=viewer.context_id,
                comment_pk=comment_id,
                text=text,
                at=now,
            )
    return int(comment_id)


@dataclass(frozen=True)
class OwnComment:
    id: int
    item_key: str


def _own_comment(connection: Connection, viewer: CourseViewer, comment_id: int) -> OwnComment:
    """The viewer's own comment on an item their course sees; NotFound or Forbidden."""
    row = connection.execute(
        select(
            LibraryComment.item_id,
            LibraryComment.author_id,
            LibraryComment.deleted_at,
            LibraryComment.hidden_at,
        ).where(LibraryComment.id == comment_id)
    ).one_or_none()
    if row is None:
        raise not_found("There is no such comment in this course's library.")
    item = item_to_interact(connection, viewer, item_id=row.item_id)  # before telling more
    if row.deleted_at is not None:
        raise deleted("This comment was deleted.")
    if not may_change_comment(viewer_id=viewer.user_id, author_id=row.author_id):
        raise Forbidden("Only its author can change a comment.", code="not_your_comment")
    if row.hidden_at is not None:
        raise SocialRefused("Staff hid this comment.", code="comment_hidden")
    return OwnComment(comment_id, item.key)


def edit_comment(
    connection: Connection,
    viewer: CourseViewer,
    *,
    comment_id: int,
    markdown: str,
    now: datetime | None = None,
) -> str:
    """Change one's own comment; returns the item's key."""
    own = _own_comment(connection, viewer, comment_id)
    text = check_comment(markdown)
    connection.execute(
        update(LibraryComment)
        .where(LibraryComment.id == comment_id)
        .values(body_markdown=text, body_html=render(text), edited_at=now or _now())
    )
    return own.item_key


def delete_comment(
    connection: Connection, viewer: CourseViewer, *, comment_id: int, now: datetime | None = None
) -> str:
    """Delete one's own comment (soft: its replies stay, under a placeholder)."""
    own = _own_comment(connection, viewer, comment_id)
    deleted = connection.execute(
        update(LibraryComment)
        .where(LibraryComment.id == comment_id, LibraryComment.deleted_at.is_(None))
        .values(deleted_at=now or _now())
    ).rowcount
    if deleted:
        connection.execute(
            update(LibraryItem)
            .where(
                LibraryItem.id
                == select(LibraryComment.item_id)
                .where(LibraryComment.id == comment_id)
                .scalar_subquery()
            )
            .values(comment_count=LibraryItem.comment_count - 1)
        )
    return own.item_key


@dataclass(frozen=True)
class CommentNode:
    """One comment as the thread shows it; ``body_html`` is None for a placeholder (a
    deleted or hidden comment kept because replies hang under it)."""

    id: int
    author_name: str
    body_html: str | None
    body_markdown: str | None
    created_at: datetime
    edited: bool
    state: str  # shown | deleted | hidden
    mine: bool
    replies: tuple[CommentNode, ...] = ()


@dataclass(frozen=True)
class CommentThread:
    """What ``library/_comments.html`` renders: the item and its comment threads."""

    item_key: str
    count: int
    roots: tuple[CommentNode, ...]


def thread_for(connection: Connection, item_id: int, viewer: Actor) -> CommentThread:
    """The item's comments, oldest first, replies under their thread root. Deleted
    comments vanish unless replies hang under them; hidden ones likewise for learners,
    while staff see their text marked hidden. The caller has checked that the viewer
    may see the item."""
    item = connection.execute(
        select(LibraryItem.key, LibraryItem.comment_count).where(LibraryItem.id == item_id)
    ).one()
    rows = connection.execute(
        select(
            LibraryComment.id,
            LibraryComment.parent_id,
            LibraryComment.author_id,
            LibraryComment.body_markdown,
            LibraryComment.body_html,
            LibraryComment.created_at,
            LibraryComment.edited_at,
            LibraryComment.deleted_at,
            LibraryComment.hidden_at,
            *NAME_COLUMNS,
        )
        .outerjoin(User, User.id == LibraryComment.author_id)
        .where(LibraryComment.item_id == item_id)
        .order_by(LibraryComment.created_at, LibraryComment.id)
    ).all()
    replies: dict[int, list[CommentNode]] = {}
    roots: list[CommentNode] = []
    for row in rows:
        node = _node(row, viewer)
        if row.parent_id is None:
            roots.append(node)
        elif node.state == "shown" or (node.state == "hidden" and viewer.is_staff):
            replies.setdefault(row.parent_id, []).append(node)
    shown: list[CommentNode] = []
    for node in roots:
        under = tuple(replies.get(node.id, ()))
        if node.state == "shown" or under or (node.state == "hidden" and viewer.is_staff):
            shown.append(replace(node, replies=under))
    return CommentThread(item_key=item.key, count=item.comment_count, roots=tuple(shown))


def _node(row: Any, viewer: Actor) -> CommentNode:
    state = "deleted" if row.deleted_at else "hidden" if row.hidden_at else "shown"
    readable = state == "shown" or (state == "hidden" and viewer.is_staff)
    mine = state == "shown" and row.author_id is not None and row.author_id == viewer.user_id
    return CommentNode(
        id=row.id,
        author_name=name_of(row) if readable else "",
        body_html=row.body_html if readable else None,
        body_markdown=row.body_markdown if mine else None,
        created_at=row.created_at,
        edited=row.edited_at is not None,
        state=state,
        mine=mine,
    )
