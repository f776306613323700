"""Who may do what with a library item: a pure function of the viewer and the item.

Everything is course-scoped. An item is seen in its own course, or in a course it was
shared to (published items only, and only to read). Learners see others' published items
and all of their own except deleted ones; staff of the item's course see and moderate
everything but deleted items. A viewer of another course or platform gets nothing, so
pages answer "not found" rather than telling that the item exists.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lti_tool.domain.errors import NotFound

# The one answer for any library object (item, comment, request, notification) that the
# viewer may not see or that does not exist: the same code either way, so a refusal never
# tells that something exists in another course. An item or comment deleted in the
# viewer's own course answers DELETED instead (a fact about their course, not a leak).
NOT_FOUND = "library_not_found"
DELETED = "library_deleted"


def not_found(message: str = "There is no such item in this course's library.") -> NotFound:
    """The refusal for a library object the viewer may not see."""
    return NotFound(message, code=NOT_FOUND)


def deleted(message: str = "This item was deleted.") -> NotFound:
    """The answer for an item or comment of the viewer's own course that was deleted."""
    return NotFound(message, code=DELETED)


class ItemState(enum.StrEnum):
    DRAFT = "draft"
    PENDING = "pending"  # awaits staff approval
    PUBLISHED = "published"
    HIDDEN = "hidden"  # by staff
    DELETED = "deleted"  # soft-deleted (lib_item.deleted_at is set)


class CourseRelation(enum.StrEnum):
    SAME = "same"  # the viewer's course is the item's course
    SHARED = "shared"  # the item is shared to the viewer's course
    OTHER = "other"  # any other course, or another platform


@dataclass(frozen=True)
class Viewer:
    user_id: int
    is_staff: bool


@dataclass(frozen=True)
class ItemFacts:
    author_id: int | None
    state: ItemState
    relation: CourseRelation


@dataclass(frozen=True)
class Allowed:
    view: bool = False
    edit: bool = False  # save a new version, restore an old one, manage attachments
    history: bool = False
    publish: bool = False  # send a draft to be published (or to approval)
    delete: bool = False
    moderate: bool = False  # approve, hide, restore from hidden
    share: bool = False  # share to other courses
    interact: bool = False  # comment, vote, rate, flag

    @property
    def anything(self) -> bool:
        return self.view


NOTHING = Allowed()


def state_of(state: str, *, deleted: bool) -> ItemState:
    return ItemState.DELETED if deleted else ItemState(state)


def allowed(viewer: Viewer, item: ItemFacts) -> Allowed:
    """Everything ``viewer`` may do with ``item``."""
    if item.relation is CourseRelation.OTHER or item.state is ItemState.DELETED:
        return NOTHING
    published = item.state is ItemState.PUBLISHED
    if item.relation is CourseRelation.SHARED:
        return Allowed(view=True, interact=True) if published else NOTHING
    own = item.author_id is not None and item.author_id == viewer.user_id
    if viewer.is_staff:
        return Allowed(
            view=True,
            edit=True,
            history=True,
            publish=item.state is ItemState.DRAFT,
            delete=True,
            moderate=True,
            share=published,
            interact=published,
        )
    if own:
        return Allowed(
            view=True,
            edit=item.state is not ItemState.HIDDEN,
            history=True,
            publish=item.state is ItemState.DRAFT,
            delete=True,
            interact=published,
        )
    return Allowed(view=True, interact=True) if published else NOTHING
