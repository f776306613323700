"""What a person reads about their course's library as a whole: the index (search,
filters, "following"), the course feed, and their notifications. Each function is one
page's reads, in one connection; none knows of Flask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from lti_tool.domain.errors import NotFound
from lti_tool.domain.library.permissions import not_found
from lti_tool.library import feed, notifications
from lti_tool.library.access import CourseViewer
from lti_tool.library.discovery import LibraryPage, LibraryQuery, author_names, list_items
from lti_tool.persistence.library_models import LibraryTopic
from lti_tool.persistence.models import Context, Deployment, Membership


@dataclass(frozen=True)
class LibraryCourse:
    id: int
    title: str | None


def course_of(connection: Connection, viewer: CourseViewer, platform_id: int) -> LibraryCourse:
    """The viewer's course, which must belong to the launch's platform."""
    found = connection.execute(
        select(Context.id, Context.title)
        .join(Deployment, Deployment.id == Context.deployment_id)
        .where(Context.id == viewer.context_id, Deployment.platform_id == platform_id)
    ).one_or_none()
    if found is None:
        raise NotFound("This course is no longer known here.", code="course_not_found")
    return LibraryCourse(id=found.id, title=found.title)


@dataclass(frozen=True)
class Index:
    """One page of the course's library as asked, and what its filters offer."""

    course: LibraryCourse
    page: LibraryPage
    topics: list[Any]  # (id, name) rows of the course's topics
    author_name: str | None  # the author filtered by, if any


def library_index(
    engine: Engine, viewer: CourseViewer, *, platform_id: int, query: LibraryQuery
) -> Index:
    """The listing ``query`` asks for in the viewer's course: its published items and
    those shared to it."""
    with engine.connect() as connection:
        course = course_of(connection, viewer, platform_id)
        page = list_items(connection, context_id=course.id, viewer_id=viewer.user_id, query=query)
        topics = connection.execute(
            select(LibraryTopic.id, LibraryTopic.name)
            .where(LibraryTopic.context_id == course.id)
            .order_by(LibraryTopic.name)
        ).all()
        author = _author_name(connection, course.id, page, query.author_id)
    return Index(course, page, list(topics), author)


def _author_name(
    connection: Connection, context_id: int, page: LibraryPage, author_id: int | None
) -> str | None:
    """The name of the author filtered by, only if this course already shows it: a member
    of the course, or the author of an item listed (shared from elsewhere). Anyone else
    is named like an unknown id, so ``?author=`` never reads another course's people."""
    if author_id is None:
        return None
    for card in page.items:
        if card.author_id == author_id:
            return card.author_name
    member = connection.execute(
        select(Membership.id).where(
            Membership.user_id == author_id, Membership.context_id == context_id
        )
    ).first()
    if member is None:
        return None
    return author_names(connection, {author_id}).get(author_id)


def course_feed(engine: Engine, viewer: CourseViewer, *, before: int | None) -> feed.FeedPage:
    with engine.connect() as connection:
        return feed.feed_page(connection, context_id=viewer.context_id, before=before)


def inbox(engine: Engine, viewer: CourseViewer, *, before: int | None) -> notifications.Inbox:
    with engine.connect() as connection:
        return notifications.inbox(
            connection, user_id=viewer.user_id, context_id=viewer.context_id, before=before
        )


def unread_count(engine: Engine, viewer: CourseViewer) -> int:
    """The viewer's unread notifications in their course (one indexed count)."""
    with engine.connect() as connection:
        return notifications.unread_count(
            connection, user_id=viewer.user_id, context_id=viewer.context_id
        )


def read_notification(engine: Engine, viewer: CourseViewer, notification_id: int) -> None:
    """Mark one of the viewer's notifications read (404 for anyone else's)."""
    with engine.begin() as connection:
        mine = notifications.mark_read(
            connection,
            user_id=viewer.user_id,
            context_id=viewer.context_id,
            notification_id=notification_id,
        )
    if not mine:
        raise not_found("There is no such notification for you.")


def read_all(engine: Engine, viewer: CourseViewer) -> None:
    with engine.begin() as connection:
        notifications.mark_all_read(
            connection, user_id=viewer.user_id, context_id=viewer.context_id
        )
