"""Who is looking at which item: the viewer, their course and the item, with the
permissions of :mod:`lti_tool.domain.library.permissions` applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from lti_tool.domain.errors import BadRequest, Forbidden, NotFound
from lti_tool.domain.library.permissions import (
    Allowed,
    CourseRelation,
    ItemFacts,
    Viewer,
    allowed,
    state_of,
)
from lti_tool.launch_session import LaunchSession
from lti_tool.persistence.library_models import LibraryItem, LibraryShare


@dataclass(frozen=True)
class ItemAccess:
    item: Any  # the lib_item row
    viewer: Viewer
    context_id: int  # the viewer's course
    relation: CourseRelation
    allowed: Allowed


def course_of(launch: LaunchSession) -> int:
    if launch.context_id is None:
        raise BadRequest(
            "The library opens inside a course. Open it from your course.",
            code="library_without_course",
        )
    return launch.context_id


def viewer_of(launch: LaunchSession) -> Viewer:
    return Viewer(user_id=launch.user_id, is_staff=launch.is_staff)


def relation(connection: Connection, item: Any, context_id: int) -> CourseRelation:
    if item.context_id == context_id:
        return CourseRelation.SAME
    shared = connection.execute(
        select(LibraryShare.id).where(
            LibraryShare.item_id == item.id, LibraryShare.context_id == context_id
        )
    ).first()
    return CourseRelation.SHARED if shared else CourseRelation.OTHER


def open_item(connection: Connection, launch: LaunchSession, key: str) -> ItemAccess:
    """The item named by ``key`` as the launch's person may see it; "not found" when
    they may not see it at all (whether it exists elsewhere is not theirs to know)."""
    context_id = course_of(launch)
    item = (
        connection.execute(select(LibraryItem).where(LibraryItem.key == key)).one_or_none()
        if len(key) <= 36
        else None
    )
    if item is None:
        raise NotFound("There is no such item in this library.", code="library_item_not_found")
    viewer = viewer_of(launch)
    found = relation(connection, item, context_id)
    facts = ItemFacts(
        author_id=item.author_id,
        state=state_of(item.state, deleted=item.deleted_at is not None),
        relation=found,
    )
    permitted = allowed(viewer, facts)
    if item.deleted_at is not None and found is not CourseRelation.OTHER:
        raise NotFound("This item was deleted.", code="library_item_deleted")
    if not permitted.view:
        raise NotFound("There is no such item in this library.", code="library_item_not_found")
    return ItemAccess(item, viewer, context_id, found, permitted)


def require(access: ItemAccess, what: str) -> None:
    """Refuse unless the viewer may do ``what`` (an :class:`Allowed` field)."""
    if not getattr(access.allowed, what):
        messages = {
            "edit": "Only the author or staff can change this item.",
            "history": "Only the author or staff can see this item's history.",
            "publish": "Only the author or staff can publish this draft.",
            "delete": "Only the author or staff can delete this item.",
        }
        raise Forbidden(messages.get(what, "You cannot do that here."), code=f"library_{what}")
