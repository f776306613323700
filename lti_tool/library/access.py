"""Who is looking at which library item or comment: the viewer, their course and the
item, with the one rule of :mod:`lti_tool.domain.library.permissions` applied.

Every part of the library (authoring, social acts, moderation) loads what it acts on
through here, so they all answer alike: whatever the viewer may not see is
``library_not_found`` (whether it exists elsewhere is not theirs to know), and an item
or comment deleted in the viewer's own course is ``library_deleted``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from lti_tool.domain.errors import Forbidden
from lti_tool.domain.library.moderation import CommentState, may_see_comment
from lti_tool.domain.library.moderation import Viewer as ModerationViewer
from lti_tool.domain.library.permissions import (
    Allowed,
    CourseRelation,
    ItemFacts,
    ItemState,
    Viewer,
    allowed,
    deleted,
    not_found,
    state_of,
)
from lti_tool.launch_session import LaunchSession
from lti_tool.persistence.library_models import LibraryComment, LibraryItem, LibraryShare


class Actor(Protocol):
    """Whoever acts: a launch session fits, and so does :class:`CourseViewer`."""

    @property
    def user_id(self) -> int: ...

    @property
    def is_staff(self) -> bool: ...


@dataclass(frozen=True)
class CourseViewer:
    """A launched person in their course."""

    user_id: int
    context_id: int
    is_staff: bool = False


@dataclass(frozen=True)
class ItemAccess:
    item: Any  # the lib_item row
    viewer: Viewer
    context_id: int  # the viewer's course
    relation: CourseRelation
    allowed: Allowed


def course_of(launch: LaunchSession) -> int:
    """The launch's course: every library page belongs to one."""
    if launch.context_id is None:
        raise Forbidden(
            "The library belongs to a course; this launch did not come from one.",
            code="library_needs_course",
        )
    return launch.context_id


def viewer_of(launch: LaunchSession) -> Viewer:
    return Viewer(user_id=launch.user_id, is_staff=launch.is_staff)


def relation(connection: Connection, item: Any, context_id: int | None) -> CourseRelation:
    if context_id is None:
        return CourseRelation.OTHER
    if item.context_id == context_id:
        return CourseRelation.SAME
    shared = connection.execute(
        select(LibraryShare.id).where(
            LibraryShare.item_id == item.id, LibraryShare.context_id == context_id
        )
    ).first()
    return CourseRelation.SHARED if shared else CourseRelation.OTHER


def listed_in(context_id: int, item: Any = LibraryItem) -> ColumnElement[bool]:
    """SQL: the item (``lib_item``, or an alias of it) is listed in course ``context_id``:
    published, not deleted, of that course or shared to it (the permission rule's
    ``view`` for a learner who is not the author, as a filter for listings)."""
    return and_(
        item.state == ItemState.PUBLISHED.value,
        item.deleted_at.is_(None),
        or_(
            item.context_id == context_id,
            exists().where(LibraryShare.item_id == item.id, LibraryShare.context_id == context_id),
        ),
    )


def _row(connection: Connection, *where: Any) -> Any:
    return connection.execute(select(LibraryItem).where(*where)).one_or_none()


def check_item(
    connection: Connection, item: Any, viewer: Viewer, context_id: int | None
) -> ItemAccess:
    """``item`` (a lib_item row, or None) as ``viewer`` in ``context_id`` may see it."""
    if item is None:
        raise not_found()
    found = relation(connection, item, context_id)
    facts = ItemFacts(
        author_id=item.author_id,
        state=state_of(item.state, deleted=item.deleted_at is not None),
        relation=found,
    )
    if item.deleted_at is not None and found is not CourseRelation.OTHER:
        raise deleted()
    permitted = allowed(viewer, facts)
    if not permitted.view or context_id is None:
        raise not_found()
    return ItemAccess(item, viewer, context_id, found, permitted)


def open_item(connection: Connection, launch: LaunchSession, key: str) -> ItemAccess:
    """The item named by ``key`` as the launch's person may see it."""
    context_id = course_of(launch)
    item = _row(connection, LibraryItem.key == key) if len(key) <= 36 else None
    return check_item(connection, item, viewer_of(launch), context_id)


def require(access: ItemAccess, what: str) -> None:
    """Refuse unless the viewer may do ``what`` (an :class:`Allowed` field)."""
    if not getattr(access.allowed, what):
        messages = {
            "edit": "Only the author or staff can change this item.",
            "history": "Only the author or staff can see this item's history.",
            "publish": "Only the author or staff can publish this draft.",
            "delete": "Only the author or staff can delete this item.",
            "interact": "Only published items can be discussed, rated or flagged.",
        }
        raise Forbidden(messages.get(what, "You cannot do that here."), code=f"library_{what}")


def item_to_interact(
    connection: Connection,
    viewer: CourseViewer,
    *,
    key: str | None = None,
    item_id: int | None = None,
) -> Any:
    """The lib_item row named by ``key`` or ``item_id`` if ``viewer`` may comment on it,
    vote on it or link it (a published item the course sees)."""
    if key is not None:
        row = _row(connection, LibraryItem.key == key) if len(key) <= 36 else None
    elif item_id is not None:
        row = _row(connection, LibraryItem.id == item_id)
    else:  # pragma: no cover - a programming error
        raise TypeError("name the item by key or id")
    found = check_item(connection, row, Viewer(viewer.user_id, viewer.is_staff), viewer.context_id)
    require(found, "interact")
    return found.item


@dataclass(frozen=True)
class ItemTarget:
    """An item as moderation and sharing act on it."""

    id: int
    key: str
    context_id: int
    author_id: int | None
    kind: str
    state: ItemState
    title: str
    summary: str
    body_html: str
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> ItemTarget:
        return cls(
            id=row.id,
            key=row.key,
            context_id=row.context_id,
            author_id=row.author_id,
            kind=row.kind,
            state=ItemState(row.state),
            title=row.title,
            summary=row.summary,
            body_html=row.body_html,
            updated_at=row.updated_at,
        )


@dataclass(frozen=True)
class CommentTarget:
    id: int
    item_id: int
    author_id: int | None
    body_html: str
    state: CommentState
    created_at: datetime


def open_target(
    connection: Connection, *, key: str, user_id: int, is_staff: bool, context_id: int | None
) -> tuple[ItemTarget, ModerationViewer]:
    """The item named by ``key`` and the viewer's standing, if the viewer may see it."""
    row = _row(connection, LibraryItem.key == key) if len(key) <= 36 else None
    found = check_item(connection, row, Viewer(user_id, is_staff), context_id)
    return ItemTarget.of(row), ModerationViewer(user_id, is_staff, found.relation)


def open_comment(
    connection: Connection,
    *,
    comment_id: int,
    user_id: int,
    is_staff: bool,
    context_id: int | None,
) -> tuple[CommentTarget, ItemTarget, ModerationViewer]:
    """The comment, its item and the viewer's standing, if the viewer may see it."""
    row = connection.execute(
        select(LibraryComment).where(LibraryComment.id == comment_id)
    ).one_or_none()
    if row is None:
        raise not_found("There is no such comment in this course's library.")
    item_row = _row(connection, LibraryItem.id == row.item_id)
    found = check_item(connection, item_row, Viewer(user_id, is_staff), context_id)
    viewer = ModerationViewer(user_id, is_staff, found.relation)
    if row.deleted_at is not None:
        raise deleted("This comment was deleted.")
    hidden = row.hidden_at is not None
    if not may_see_comment(
        viewer, author_id=row.author_id, hidden=hidden, deleted=row.deleted_at is not None
    ):
        raise not_found("There is no such comment in this course's library.")
    comment = CommentTarget(
        id=row.id,
        item_id=row.item_id,
        author_id=row.author_id,
        body_html=row.body_html,
        state=CommentState.HIDDEN if hidden else CommentState.VISIBLE,
        created_at=row.created_at,
    )
    return comment, ItemTarget.of(item_row), viewer
