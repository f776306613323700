"""Loading what moderation acts on: an item or a comment, seen by one viewer.

Interim adapter until lib-core's ``lti_tool.library.access`` lands: it reads the rows and
applies the pure visibility rules of ``lti_tool.domain.library.moderation``. Whatever a
viewer may not see is "not found", so nothing of another course leaks, not even that it
exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, exists, select

from lti_tool.domain.errors import NotFound
from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.domain.library.moderation import (
    CommentState,
    CourseRelation,
    ItemState,
    Viewer,
    may_see_comment,
    may_see_item,
)
from lti_tool.persistence.library_models import LibraryComment, LibraryItem, LibraryShare
from lti_tool.persistence.models import User
from xapi import library_moderation as statements


@dataclass(frozen=True)
class ItemTarget:
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

    @property
    def statement_item(self) -> statements.LibraryItem:
        """The item as its xAPI statements name it."""
        return statements.LibraryItem(self.key, self.title, self.kind, self.context_id)


@dataclass(frozen=True)
class CommentTarget:
    id: int
    item_id: int
    author_id: int | None
    body_html: str
    state: CommentState
    created_at: datetime


_ITEM_COLUMNS = (
    LibraryItem.id,
    LibraryItem.key,
    LibraryItem.context_id,
    LibraryItem.author_id,
    LibraryItem.kind,
    LibraryItem.state,
    LibraryItem.title,
    LibraryItem.summary,
    LibraryItem.body_html,
    LibraryItem.updated_at,
    LibraryItem.deleted_at,
)


def _not_found() -> NotFound:
    return NotFound("There is no such item or comment in this course.", code="library_not_found")


def relation(connection: Connection, item: ItemTarget, context_id: int | None) -> CourseRelation:
    if context_id is None:
        return CourseRelation.NONE
    if item.context_id == context_id:
        return CourseRelation.HOME
    shared = connection.execute(
        select(
            exists().where(LibraryShare.item_id == item.id, LibraryShare.context_id == context_id)
        )
    ).scalar_one()
    return CourseRelation.SHARED if shared else CourseRelation.NONE


def _item(connection: Connection, *where: object) -> tuple[ItemTarget, bool] | None:
    row = connection.execute(select(*_ITEM_COLUMNS).where(*where)).one_or_none()  # type: ignore[arg-type]
    if row is None:
        return None
    try:
        state = ItemState(row.state)
    except ValueError:
        return None
    item = ItemTarget(
        id=row.id,
        key=row.key,
        context_id=row.context_id,
        author_id=row.author_id,
        kind=row.kind,
        state=state,
        title=row.title,
        summary=row.summary,
        body_html=row.body_html,
        updated_at=row.updated_at,
    )
    return item, row.deleted_at is not None


def open_item(
    connection: Connection, *, key: str, user_id: int, is_staff: bool, context_id: int | None
) -> tuple[ItemTarget, Viewer]:
    """The item named by ``key`` and the viewer's standing, if the viewer may see it."""
    found = _item(connection, LibraryItem.key == key)
    if found is None:
        raise _not_found()
    item, deleted = found
    viewer = Viewer(user_id, is_staff, relation(connection, item, context_id))
    if not may_see_item(viewer, author_id=item.author_id, state=item.state, deleted=deleted):
        raise _not_found()
    return item, viewer


def item_by_id(connection: Connection, item_id: int) -> ItemTarget | None:
    found = _item(connection, LibraryItem.id == item_id)
    return found[0] if found else None


def open_comment(
    connection: Connection,
    *,
    comment_id: int,
    user_id: int,
    is_staff: bool,
    context_id: int | None,
) -> tuple[CommentTarget, ItemTarget, Viewer]:
    """The comment, its item and the viewer's standing, if the viewer may see it."""
    row = connection.execute(
        select(LibraryComment).where(LibraryComment.id == comment_id)
    ).one_or_none()
    if row is None:
        raise _not_found()
    found = _item(connection, LibraryItem.id == row.item_id)
    if found is None:
        raise _not_found()
    item, item_deleted = found
    viewer = Viewer(user_id, is_staff, relation(connection, item, context_id))
    item_visible = may_see_item(
        viewer, author_id=item.author_id, state=item.state, deleted=item_deleted
    )
    hidden = row.hidden_at is not None
    visible = may_see_comment(
        viewer,
        author_id=row.author_id,
        hidden=hidden,
        deleted=row.deleted_at is not None,
        item_visible=item_visible,
    )
    if not visible:
        raise _not_found()
    comment = CommentTarget(
        id=row.id,
        item_id=row.item_id,
        author_id=row.author_id,
        body_html=row.body_html,
        state=CommentState.HIDDEN if hidden else CommentState.VISIBLE,
        created_at=row.created_at,
    )
    return comment, item, viewer


def names_of(connection: Connection, user_ids: set[int]) -> dict[int, str]:
    """How each person is addressed in the course (their chosen or LMS name)."""
    if not user_ids:
        return {}
    rows = connection.execute(
        select(User.id, User.name, User.given_name, User.family_name, User.display_name).where(
            User.id.in_(user_ids)
        )
    )
    return {
        row.id: display_name(
            PersonClaims(
                sub="", name=row.name, given_name=row.given_name, family_name=row.family_name
            ),
            row.display_name,
        )
        for row in rows
    }
