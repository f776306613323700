"""Who is acting and which items they may act on, for lib-social's operations.

Interim adapter: lib-core's ``lti_tool/library/access.py`` owns item permissions. Social
acts (comment, vote, follow, link a request's answer) need only the narrow rule below,
which lib-core's rule must agree with: an item is visible to a course when it is
published, not deleted, and belongs to that course or is shared to it (``lib_share``).
Drafts, pending and hidden items, other courses' items and other platforms' items are
"not found", never "forbidden", so their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from lti_tool.domain.errors import NotFound
from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.persistence.library_models import LibraryItem, LibraryShare
from lti_tool.persistence.models import User


class Actor(Protocol):
    """What lib-social needs of whoever acts: a launch session fits, so does lib-core's
    viewer."""

    @property
    def user_id(self) -> int: ...

    @property
    def is_staff(self) -> bool: ...


@dataclass(frozen=True)
class Viewer:
    """A launched person in a course."""

    user_id: int
    context_id: int
    is_staff: bool = False


@dataclass(frozen=True)
class VisibleItem:
    id: int
    key: str
    context_id: int
    author_id: int | None
    title: str


def visible_in(context_id: int, item: Any = LibraryItem) -> ColumnElement[bool]:
    """SQL: the item (``lib_item``, or the alias ``item``) is listed in course
    ``context_id``."""
    return and_(
        item.state == "published",
        item.deleted_at.is_(None),
        or_(
            item.context_id == context_id,
            exists().where(LibraryShare.item_id == item.id, LibraryShare.context_id == context_id),
        ),
    )


def visible_item(
    connection: Connection, viewer: Viewer, *, key: str | None = None, item_id: int | None = None
) -> VisibleItem:
    """The item named by ``key`` or ``item_id`` if ``viewer`` may see it, else NotFound."""
    query = select(
        LibraryItem.id,
        LibraryItem.key,
        LibraryItem.context_id,
        LibraryItem.author_id,
        LibraryItem.title,
    ).where(visible_in(viewer.context_id))
    if key is not None:
        query = query.where(LibraryItem.key == key)
    elif item_id is not None:
        query = query.where(LibraryItem.id == item_id)
    else:  # pragma: no cover - a programming error
        raise TypeError("name the item by key or id")
    row = connection.execute(query).one_or_none()
    if row is None:
        raise NotFound("There is no such item in this course's library.", code="item_not_found")
    return VisibleItem(*row)


NAME_COLUMNS = (
    User.display_name.label("person_display_name"),
    User.name.label("person_name"),
    User.given_name.label("person_given_name"),
    User.family_name.label("person_family_name"),
)


def name_of(row: Any) -> str:
    """The display name of a row selected with ``NAME_COLUMNS``."""
    return display_name(
        PersonClaims(
            sub="",
            name=row.person_name,
            given_name=row.person_given_name,
            family_name=row.person_family_name,
        ),
        row.person_display_name,
    )
