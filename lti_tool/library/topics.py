"""A course's topics: created on first use, attached to items, listed for pickers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from lti_tool.domain.library.topics import TopicName
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.library_models import LibraryItemTopic, LibraryTopic


@dataclass(frozen=True)
class Topic:
    id: int
    name: str
    slug: str


def ensure_topics(
    connection: Connection,
    *,
    context_id: int,
    topics: Sequence[TopicName],
    created_by: int | None,
    now: datetime,
) -> list[Topic]:
    """The course's topics named, created when new (a concurrent creation is harmless:
    the (course, slug) key keeps one)."""
    if not topics:
        return []
    connection.execute(
        dialect_insert(connection)(LibraryTopic)
        .values(
            [
                {
                    "context_id": context_id,
                    "name": t.name,
                    "slug": t.slug,
                    "created_by": created_by,
                    "created_at": now,
                }
                for t in topics
            ]
        )
        .on_conflict_do_nothing(index_elements=["context_id", "slug"])
    )
    found = {
        row.slug: Topic(row.id, row.name, row.slug)
        for row in connection.execute(
            select(LibraryTopic.id, LibraryTopic.name, LibraryTopic.slug).where(
                LibraryTopic.context_id == context_id,
                LibraryTopic.slug.in_([t.slug for t in topics]),
            )
        )
    }
    return [found[t.slug] for t in topics]


def set_item_topics(connection: Connection, item_id: int, topics: Sequence[Topic]) -> None:
    connection.execute(delete(LibraryItemTopic).where(LibraryItemTopic.item_id == item_id))
    if topics:
        connection.execute(
            insert(LibraryItemTopic), [{"item_id": item_id, "topic_id": t.id} for t in topics]
        )


def topics_of_item(connection: Connection, item_id: int) -> list[Topic]:
    rows = connection.execute(
        select(LibraryTopic.id, LibraryTopic.name, LibraryTopic.slug)
        .join(LibraryItemTopic, LibraryItemTopic.topic_id == LibraryTopic.id)
        .where(LibraryItemTopic.item_id == item_id)
        .order_by(LibraryTopic.name)
    )
    return [Topic(row.id, row.name, row.slug) for row in rows]


def topics_of_course(connection: Connection, context_id: int) -> list[Topic]:
    rows = connection.execute(
        select(LibraryTopic.id, LibraryTopic.name, LibraryTopic.slug)
        .where(LibraryTopic.context_id == context_id)
        .order_by(LibraryTopic.name, LibraryTopic.id)
    )
    return [Topic(row.id, row.name, row.slug) for row in rows]


def topic_by_slug(connection: Connection, context_id: int, slug: str) -> Topic | None:
    row = connection.execute(
        select(LibraryTopic.id, LibraryTopic.name, LibraryTopic.slug).where(
            LibraryTopic.context_id == context_id, LibraryTopic.slug == slug
        )
    ).one_or_none()
    return Topic(row.id, row.name, row.slug) if row else None
