"""The "library" activity kind in the LMS: the picker's choices per course, and the
topic a placement opens (created on first launch when new)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from lti_tool.domain.course_choices import CourseChoice
from lti_tool.domain.errors import NotFound
from lti_tool.domain.library.topics import TopicInvalid, topic
from lti_tool.library import reading, topics


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


def placed_topic(
    engine: Engine, context_id: int, settings: Mapping[str, Any], *, user_id: int, now: datetime
) -> int:
    """The placement's topic in this course; named topics that are new (or that the LMS
    carried into a copied course) are created on first launch."""
    try:
        wanted = topic(str(settings.get("topic_name") or settings.get("topic_slug") or ""))
    except TopicInvalid:
        raise NotFound("This placement names no topic.", code="library_topic_missing") from None
    slug = str(settings.get("topic_slug") or wanted.slug)
    with engine.begin() as connection:
        found = topics.topic_by_slug(connection, context_id, slug)
        if found is None:
            [found] = topics.ensure_topics(
                connection, context_id=context_id, topics=[wanted], created_by=user_id, now=now
            )
    return found.id
