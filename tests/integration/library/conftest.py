"""Library rows built directly (the authoring operations are not needed to test social
learning): platforms, courses, people, items and topics on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, insert

from lti_tool.library.access import CourseViewer
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.library_models import (
    LibraryItem,
    LibraryItemTopic,
    LibraryShare,
    LibraryTopic,
)
from lti_tool.persistence.models import Context, Deployment, Platform, User

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


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

    def person(self, name: str, *, platform: int | None = None) -> int:
        if name not in self.people:
            self.people[name] = self.connection.execute(
                insert(User)
                .values(platform_id=platform or self.platform, sub=name, name=name.title())
                .returning(User.id)
            ).scalar_one()
        return self.people[name]

    def viewer(self, name: str, *, course: int | None = None, staff: bool = False) -> CourseViewer:
        return CourseViewer(self.person(name), course or self.course, staff)

    def topic(self, name: str, *, course: int | None = None) -> int:
        return self.connection.execute(
            insert(LibraryTopic)
            .values(context_id=course or self.course, name=name, slug=name.lower())
            .returning(LibraryTopic.id)
        ).scalar_one()

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
                published_at=NOW if state == "published" else None,
                deleted_at=NOW if deleted else None,
            )
            .returning(LibraryItem)
        ).one()
        for topic in topics:
            self.connection.execute(insert(LibraryItemTopic).values(item_id=row.id, topic_id=topic))
        return row  # type: ignore[no-any-return]

    def share(self, item_id: int, course: int) -> None:
        self.connection.execute(insert(LibraryShare).values(item_id=item_id, context_id=course))


def _platform(connection: Connection, issuer: str) -> tuple[int, int]:
    platform = connection.execute(
        insert(Platform)
        .values(issuer=issuer, client_id="c", auth_login_url="x", auth_token_url="x", jwks_url="x")
        .returning(Platform.id)
    ).scalar_one()
    deployment = connection.execute(
        insert(Deployment).values(platform_id=platform, deployment_id="d").returning(Deployment.id)
    ).scalar_one()
    return platform, deployment


def _course(connection: Connection, deployment: int, lti_id: str) -> int:
    return connection.execute(
        insert(Context)
        .values(deployment_id=deployment, lti_id=lti_id, title=lti_id.title(), types=[])
        .returning(Context.id)
    ).scalar_one()


@pytest.fixture
def campus(engine: Engine) -> Iterator[Campus]:
    """A connection with the campus inserted (not committed: tests that need other
    connections to see it commit themselves)."""
    with engine.connect() as connection:
        platform, deployment = _platform(connection, "https://lms.example")
        foreign, foreign_deployment = _platform(connection, "https://other-lms.example")
        yield Campus(
            connection,
            course=_course(connection, deployment, "course"),
            other_course=_course(connection, deployment, "other"),
            foreign_course=_course(connection, foreign_deployment, "foreign"),
            platform=platform,
            foreign_platform=foreign,
        )
