"""The "library" activity kind: the course library placed in the LMS as a whole, as one
topic, or as one item. Not graded.

Topics and items differ per course, so the picker fills the topic and item choices from
the course (:func:`with_course_choices`); the placement keeps the topic's slug and the
item's key, which stay meaningful when the LMS copies the course.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from lti_tool.domain.activities import (
    ActivityKind,
    ActivityPlan,
    FieldType,
    FormField,
)
from lti_tool.domain.library.topics import NAME_LIMIT, TopicInvalid, topic

KIND_KEY = "library"
WHOLE, TOPIC, ITEM = "library", "topic", "item"
_NONE = ("", "(none)")

FIELDS = (
    FormField(
        "placement",
        "What to place",
        FieldType.CHOICE,
        required=True,
        default=WHOLE,
        choices=((WHOLE, "The whole library"), (TOPIC, "One topic"), (ITEM, "One item")),
    ),
    FormField(
        "topic", "Topic", FieldType.CHOICE, choices=(_NONE,), help="For one topic: pick one..."
    ),
    FormField(
        "new_topic",
        "...or name a new topic",
        max_length=NAME_LIMIT,
        help="Created in the library when it is first opened; authors can then use it.",
    ),
    FormField(
        "item",
        "Item",
        FieldType.CHOICE,
        choices=(_NONE,),
        help="For one item: a published item of this course.",
    ),
)


def _check(values: Mapping[str, Any]) -> Mapping[str, str]:
    placement = values.get("placement")
    if placement == TOPIC:
        if values.get("topic") and values.get("new_topic"):
            return {"new_topic": "Pick a topic or name a new one, not both."}
        if not values.get("topic") and not values.get("new_topic"):
            return {"topic": "Pick a topic or name a new one."}
        if values.get("new_topic"):
            try:
                topic(values["new_topic"])
            except TopicInvalid as invalid:
                return {"new_topic": str(invalid)}
    if placement == ITEM and not values.get("item"):
        return {"item": "Pick the item to place."}
    return {}


def _plan(kind: ActivityKind, values: Mapping[str, Any]) -> ActivityPlan:
    placement = values["placement"]
    settings: dict[str, Any] = {"placement": placement}
    if placement == TOPIC:
        if values.get("new_topic"):
            chosen = topic(values["new_topic"])
            settings.update(topic_slug=chosen.slug, topic_name=chosen.name)
        else:
            settings.update(topic_slug=values["topic"], topic_name=_label(kind, "topic", values))
    elif placement == ITEM:
        settings["item_key"] = values["item"]
    return ActivityPlan(
        kind=kind.key, title=values["title"], text=values.get("text") or "", settings=settings
    )


def _label(kind: ActivityKind, field_name: str, values: Mapping[str, Any]) -> str:
    field = next(f for f in kind.fields if f.name == field_name)
    return next((label for value, label in field.choices if value == values[field_name]), "")


LIBRARY_KIND = ActivityKind(
    key=KIND_KEY,
    title="Course library",
    description=(
        "The course's peer-authored library of articles, tips, slides, links, videos and "
        "files: the whole library, one topic or one item. Not graded."
    ),
    fields=FIELDS,
    plan=_plan,
    check=_check,
)


def with_course_choices(
    kind: ActivityKind,
    *,
    topics: Sequence[tuple[str, str]],
    items: Sequence[tuple[str, str]],
) -> ActivityKind:
    """The kind with this course's topics (slug, name) and items (key, title) offered."""
    offered = {"topic": (_NONE, *topics), "item": (_NONE, *items)}
    fields = tuple(
        dataclasses.replace(f, choices=offered[f.name]) if f.name in offered else f
        for f in kind.fields
    )
    return dataclasses.replace(kind, fields=fields)
