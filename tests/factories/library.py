"""Library rows written straight to the database: items and comments as the library's
operations store them (rendered Markdown, sanitised); topics, shares and follows; and two
ready-made settings (:class:`Library`, :class:`Campus`) of courses and people.

The platform -> course -> person chain comes from :mod:`tests.factories.lti` (re-exported
here, so ``rows.course(...)`` reads as before)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from markdown_it import MarkdownIt
from sqlalchemy import Connection, insert, update

from lti_tool.library.access import CourseViewer
from lti_tool.persistence.library_models import (
    LibraryComment,
    LibraryFollow,
    LibraryItem,
    LibraryItemTopic,
    LibraryShare,
    LibraryTopic,
)
from lti_tool.rich_text import sanitise
from tests.factories.lti import course, deployment, member, person, platform

MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
START = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)  # Library's first publication time
CAMPUS_NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def render(markdown: str) -> str:
    """Markdown as the library stores it: rendered by markdown-it, sanitised by nh3."""
    return sanitise(MARKDOWN.render(markdown))


def item(
    connection: Connection,
    *,
    context_id: int,
    author_id: int | None,
    title: str = "Pivot tables in five minutes",
    state: str = "published",
    summary: str = "",
    body: str = "",
) -> tuple[int, str]:
    key = str(uuid.uuid4())
    item_id: int = connection.execute(
        insert(LibraryItem)
        .values(
            key=key,
            context_id=context_id,
            author_id=author_id,
            kind="article",
            state=state,
            title=title,
            summary=summary,
            body_markdown=body,
            body_html=render(body),
            published_at=NOW if state in {"published", "hidden"} else None,
            created_at=NOW,
            updated_at=NOW,
        )
        .returning(LibraryItem.id)
    ).scalar_one()
    return item_id, key


def comment(
    connection: Connection, *, item_id: int, author_id: int | None, body: str = "Helpful, thanks"
) -> int:
    comment_id: int = connection.execute(
        insert(LibraryComment)
        .values(
            item_id=item_id,
            author_id=author_id,
            body_markdown=body,
            body_html=render(body),
            created_at=NOW,
        )
        .returning(LibraryComment.id)
    ).scalar_one()
    connection.execute(
        update(LibraryItem)
        .where(LibraryItem.id == item_id)
        .values(comment_count=LibraryItem.comment_count + 1)
    )
    return comment_id


def topic(connection: Connection, context_id: int, name: str, slug: str | None = None) -> int:
    found: int = connection.execute(
        insert(LibraryTopic)
        .values(context_id=context_id, name=name, slug=slug or name.lower().replace(" ", "-"))
        .returning(LibraryTopic.id)
    ).scalar_one()
    return found


def tag(connection: Connection, item_id: int, *topic_ids: int) -> None:
    for topic_id in topic_ids:
        connection.execute(insert(LibraryItemTopic).values(item_id=item_id, topic_id=topic_id))


def share(connection: Connection, item_id: int, context_id: int) -> None:
    connection.execute(insert(LibraryShare).values(item_id=item_id, context_id=context_id))


@dataclass
class Library:
    """A platform with courses and people; items get later publication times in turn."""

    connection: Connection
    platform_id: int = 0
    deployment_id: int = 0
    published: int = 0
    people: dict[str, int] = field(default_factory=dict)

    @classmethod
    def on(cls, connection: Connection, issuer: str = "https://lms.example") -> Library:
        library = cls(connection)
        library.platform_id = platform(connection, issuer, client_id="client")
        library.deployment_id = deployment(connection, library.platform_id)
        return library

    def course(self, lti_id: str) -> int:
        return course(self.connection, self.deployment_id, lti_id)

    def person(self, sub: str, name: str | None = None) -> int:
        user_id = person(self.connection, self.platform_id, sub, name or sub.title())
        self.people[sub] = user_id
        return user_id

    def item(self, context_id: int, title: str, **values: Any) -> int:
        self.published += 1
        row: dict[str, Any] = {
            "key": str(uuid.uuid4()),
            "context_id": context_id,
            "kind": "article",
            "state": "published",
            "title": title,
            "summary": "",
            "body_markdown": "",
            "published_at": START + timedelta(minutes=self.published),
        }
        row.update(values)
        return int(
            self.connection.execute(
                insert(LibraryItem).values(**row).returning(LibraryItem.id)
            ).scalar_one()
        )

    def topic(self, context_id: int, name: str) -> int:
        return topic(self.connection, context_id, name)

    def tag(self, item_id: int, *topic_ids: int) -> None:
        tag(self.connection, item_id, *topic_ids)

    def share(self, item_id: int, context_id: int) -> None:
        share(self.connection, item_id, context_id)

    def follow(self, context_id: int, user_id: int, kind: str, target_id: int) -> None:
        self.connection.execute(
            insert(LibraryFollow).values(
                context_id=context_id, user_id=user_id, target_kind=kind, target_id=target_id
            )
        )


@dataclass
class Campus:
    """Two courses on one platform and one course on another, with people in each."""

    connection: Connection
    course: int = 0
    other_course: int = 0
    foreign_course: int = 0
    platform: int = 0
    foreign_platform: int = 0
    people: dict[str, int] = field(default_factory=dict)

    @classmethod
    def on(cls, connection: Connection) -> Campus:
        home = platform(connection, "https://lms.example")
        home_deployment = deployment(connection, home)
        foreign = platform(connection, "https://other-lms.example")
        foreign_deployment = deployment(connection, foreign)
        return cls(
            connection,
            course=course(connection, home_deployment, "course", "Course"),
            other_course=course(connection, home_deployment, "other", "Other"),
            foreign_course=course(connection, foreign_deployment, "foreign", "Foreign"),
            platform=home,
            foreign_platform=foreign,
        )

    def person(self, name: str, *, platform: int | None = None) -> int:
        if name not in self.people:
            self.people[name] = person(
                self.connection, platform or self.platform, name, name.title()
            )
        return self.people[name]

    def viewer(self, name: str, *, course: int | None = None, staff: bool = False) -> CourseViewer:
        return CourseViewer(self.person(name), course or self.course, staff)

    def topic(self, name: str, *, course: int | None = None) -> int:
        return topic(self.connection, course or self.course, name, name.lower())

    def item(
        self,
        author: str | None,
        *,
        title: str = "An item",
        state: str = "published",
        course: int | None = None,
        topics: tuple[int, ...] = (),
        deleted: bool = False,
    ) -> LibraryItem:
        row = self.connection.execute(
            insert(LibraryItem)
            .values(
                key=str(uuid.uuid4()),
                context_id=course or self.course,
                author_id=self.person(author) if author else None,
                kind="article",
                state=state,
                title=title,
                published_at=CAMPUS_NOW if state == "published" else None,
                deleted_at=CAMPUS_NOW if deleted else None,
            )
            .returning(LibraryItem)
        ).one()
        tag(self.connection, row.id, *topics)
        return row  # type: ignore[no-any-return]

    def share(self, item_id: int, course: int) -> None:
        share(self.connection, item_id, course)


__all__ = [
    "CAMPUS_NOW",
    "NOW",
    "START",
    "Campus",
    "Library",
    "comment",
    "course",
    "deployment",
    "item",
    "member",
    "person",
    "platform",
    "render",
    "share",
    "tag",
    "topic",
]
