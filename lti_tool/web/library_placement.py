"""The "library" activity kind in the LMS: its picker choices per course, its launch
page, and a plain topic list used until the library's search index is installed.

A placement opens the whole library, one topic, or one item. The library index and its
topic filter belong to the discovery pages (``library_discovery.index``); when they are
not installed the placement opens :func:`browse`, a simple newest-first list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, or_, select

from lti_tool.domain.course_choices import CourseChoice
from lti_tool.domain.errors import NotFound
from lti_tool.domain.library.content import RULES
from lti_tool.domain.library.placement import ITEM, TOPIC
from lti_tool.domain.library.topics import TopicInvalid, topic
from lti_tool.library import access, reading, topics
from lti_tool.persistence.library_models import LibraryItem, LibraryItemTopic, LibraryShare
from lti_tool.web.app_views import current_launch
from lti_tool.web.context import services
from lti_tool.web.kind_pages import ActivityLaunch

BROWSE_LIMIT = 100


def topic_choices(connection: Connection, context_id: int) -> list[CourseChoice]:
    """The course's topics for the picker; picking one fills the placement's topic name."""
    return [
        CourseChoice(value=t.slug, label=t.name, fills={"topic_name": t.name})
        for t in topics.topics_of_course(connection, context_id)
    ]


def item_choices(connection: Connection, context_id: int) -> list[CourseChoice]:
    """The course's published items for the picker; picking one fills the item key."""
    return [
        CourseChoice(value=row.key, label=row.title, fills={"item_key": row.key})
        for row in reading.published_items(connection, context_id)
    ]


def _optional_url(endpoint: str, **values: object) -> str | None:
    from lti_tool.web import optional_url  # noqa: PLC0415 - defined beside the app

    return optional_url(endpoint, **values)


def launch_page(launched: ActivityLaunch) -> ResponseReturnValue:
    settings, token = launched.activity.settings, launched.token
    context_id = launched.activity.context_id
    placement = settings.get("placement")
    if placement == ITEM:
        return redirect(url_for("library.item_page", key=settings.get("item_key", ""), ls=token))
    if placement == TOPIC:
        topic_id = _placed_topic(context_id, settings, launched.launch.user_id)
        return redirect(
            _optional_url("library_discovery.index", topic=topic_id, ls=token)
            or url_for("library.browse", topic=topic_id, ls=token)
        )
    return redirect(
        _optional_url("library_discovery.index", ls=token) or url_for("library.browse", ls=token)
    )


def _placed_topic(context_id: int, settings: Mapping[str, Any], user_id: int) -> int:
    """The placement's topic in this course; named topics that are new (or that the LMS
    carried into a copied course) are created on first launch."""
    try:
        wanted = topic(str(settings.get("topic_name") or settings.get("topic_slug") or ""))
    except TopicInvalid:
        raise NotFound("This placement names no topic.", code="library_topic_missing") from None
    slug = str(settings.get("topic_slug") or wanted.slug)
    with services().engine.begin() as connection:
        found = topics.topic_by_slug(connection, context_id, slug)
        if found is None:
            [found] = topics.ensure_topics(
                connection,
                context_id=context_id,
                topics=[wanted],
                created_by=user_id,
                now=datetime.now(UTC),
            )
    return found.id


def browse() -> ResponseReturnValue:
    """Published items of the course (and shared to it), newest first, maybe of a topic."""
    launch, token = current_launch()
    context_id = access.course_of(launch)
    topic_id = request.args.get("topic", type=int)
    with services().engine.connect() as connection:
        chosen = topics.topic_by_id(connection, context_id, topic_id) if topic_id else None
        if topic_id and chosen is None:
            raise NotFound("There is no such topic in this library.", code="library_topic")
        shared = select(LibraryShare.item_id).where(LibraryShare.context_id == context_id)
        query = (
            select(LibraryItem.key, LibraryItem.kind, LibraryItem.title, LibraryItem.summary)
            .where(
                or_(LibraryItem.context_id == context_id, LibraryItem.id.in_(shared)),
                LibraryItem.state == "published",
                LibraryItem.deleted_at.is_(None),
            )
            .order_by(LibraryItem.published_at.desc(), LibraryItem.id.desc())
            .limit(BROWSE_LIMIT)
        )
        if chosen is not None:
            query = query.join(LibraryItemTopic, LibraryItemTopic.item_id == LibraryItem.id).where(
                LibraryItemTopic.topic_id == chosen.id
            )
        rows = connection.execute(query).all()
        course_topics = topics.topics_of_course(connection, context_id)
    return render_template(
        "library/browse.html",
        token=token,
        is_staff=launch.is_staff,
        rows=rows,
        topic=chosen,
        topics=course_topics,
        rules=RULES,
    )
