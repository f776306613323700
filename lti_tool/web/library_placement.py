"""The "library" activity kind in the LMS: its picker choices per course and its launch
page.

A placement opens the whole library or one topic (the discovery index,
``library_discovery.index``, filtered by ``topic``), or one item (``library.item``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from flask import redirect, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection

from lti_tool.domain.course_choices import CourseChoice
from lti_tool.domain.errors import NotFound
from lti_tool.domain.library.placement import ITEM, TOPIC
from lti_tool.domain.library.topics import TopicInvalid, topic
from lti_tool.library import reading, topics
from lti_tool.web.context import services
from lti_tool.web.kind_pages import ActivityLaunch


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


def launch_page(launched: ActivityLaunch) -> ResponseReturnValue:
    settings, token = launched.activity.settings, launched.token
    context_id = launched.activity.context_id
    placement = settings.get("placement")
    if placement == ITEM:
        return redirect(url_for("library.item", key=settings.get("item_key", ""), ls=token))
    if placement == TOPIC:
        topic_id = _placed_topic(context_id, settings, launched.launch.user_id)
        return redirect(url_for("library_discovery.index", topic=topic_id, ls=token))
    return redirect(url_for("library_discovery.index", ls=token))


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
