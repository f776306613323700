"""Following a topic or an author within a course: new items there reach the follower's
notifications (see ``notifications.notify_new_item``) and the "following" view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, delete, exists, select

from lti_tool.domain.errors import BadRequest, NotFound
from lti_tool.library.access import CourseViewer, listed_in
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.library_models import LibraryFollow, LibraryItem, LibraryTopic

KINDS = ("topic", "author")


def _check_target(connection: Connection, viewer: CourseViewer, kind: str, target_id: int) -> None:
    """A topic of the viewer's course, or someone with an item the course sees (so no
    one is followed into a course they have shown nothing in); never oneself."""
    if kind == "topic":
        found: object = connection.execute(
            select(LibraryTopic.id).where(
                LibraryTopic.id == target_id, LibraryTopic.context_id == viewer.context_id
            )
        ).first()
    elif kind == "author":
        if target_id == viewer.user_id:
            raise BadRequest("You cannot follow yourself.", code="follow_self")
        found = (
            connection.execute(
                select(
                    exists().where(LibraryItem.author_id == target_id, listed_in(viewer.context_id))
                )
            ).scalar_one()
            or None
        )
    else:
        raise BadRequest("Follow a topic or an author.", code="follow_kind")
    if not found:
        raise NotFound(f"There is no such {kind} in this course.", code=f"{kind}_not_found")


def follow(
    connection: Connection,
    viewer: CourseViewer,
    *,
    kind: str,
    target_id: int,
    now: datetime | None = None,
) -> None:
    """Follow (idempotent: following twice is following once)."""
    _check_target(connection, viewer, kind, target_id)
    connection.execute(
        dialect_insert(connection)(LibraryFollow)
        .values(
            context_id=viewer.context_id,
            user_id=viewer.user_id,
            target_kind=kind,
            target_id=target_id,
            created_at=now or datetime.now(UTC),
        )
        .on_conflict_do_nothing(
            index_elements=["context_id", "user_id", "target_kind", "target_id"]
        )
    )


def unfollow(connection: Connection, viewer: CourseViewer, *, kind: str, target_id: int) -> None:
    """Stop following (also when the topic or the author's items are gone since)."""
    if kind not in KINDS:
        raise BadRequest("Follow a topic or an author.", code="follow_kind")
    connection.execute(
        delete(LibraryFollow).where(
            LibraryFollow.context_id == viewer.context_id,
            LibraryFollow.user_id == viewer.user_id,
            LibraryFollow.target_kind == kind,
            LibraryFollow.target_id == target_id,
        )
    )


@dataclass(frozen=True)
class Following:
    topic_ids: frozenset[int]
    author_ids: frozenset[int]


def following(connection: Connection, *, user_id: int, context_id: int) -> Following:
    """What a person follows in a course."""
    rows = connection.execute(
        select(LibraryFollow.target_kind, LibraryFollow.target_id).where(
            LibraryFollow.context_id == context_id, LibraryFollow.user_id == user_id
        )
    ).all()
    return Following(
        topic_ids=frozenset(target for kind, target in rows if kind == "topic"),
        author_ids=frozenset(target for kind, target in rows if kind == "author"),
    )
