"""The "library" activity kind: the course library placed in the LMS as a whole, as one
topic, or as one item. Not graded.

Topics and items differ per course, so the topic and item pickers are course-dependent
fields (:mod:`lti_tool.domain.course_choices`): the picker offers the course's topics
and published items, and picking one fills the plain field the placement keeps (the
topic's name, the item's key), which stays meaningful when the LMS copies the course.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lti_tool.domain.activities import ActivityKind, ActivityPlan, FieldType, FormField
from lti_tool.domain.library.topics import NAME_LIMIT, TopicInvalid, topic

KIND_KEY = "library"
WHOLE, TOPIC, ITEM = "library", "topic", "item"
# Names of the course-choice providers (registered by the web layer).
COURSE_TOPICS = "library.topics"
COURSE_ITEMS = "library.published-items"
ITEM_KEY_LIMIT = 36

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
        "topic",
        "Topic",
        FieldType.CHOICE,
        course_choices=COURSE_TOPICS,
        help="For one topic: one of this course's topics...",
    ),
    FormField(
        "topic_name",
        "...or a new topic",
        max_length=NAME_LIMIT,
        help="A new topic is created in the library when the placement is first opened.",
    ),
    FormField(
        "item",
        "Item",
        FieldType.CHOICE,
        course_choices=COURSE_ITEMS,
        help="For one item: one of this course's published items.",
    ),
    FormField(
        "item_key",
        "...or the item's key",
        max_length=ITEM_KEY_LIMIT,
        help="The last part of the item page's address (filled when you pick an item).",
    ),
)


def _check(values: Mapping[str, Any]) -> Mapping[str, str]:
    placement = values.get("placement")
    if placement == TOPIC:
        name = values.get("topic_name")
        if not name:
            return {"topic": "Pick a topic or name a new one."}
        try:
            named = topic(name)
        except TopicInvalid as invalid:
            return {"topic_name": str(invalid)}
        if values.get("topic") and values["topic"] != named.slug:
            return {"topic_name": "Pick a topic or name a new one, not both."}
    if placement == ITEM and not values.get("item_key"):
        return {"item": "Pick the item to place."}
    return {}


def _plan(kind: ActivityKind, values: Mapping[str, Any]) -> ActivityPlan:
    placement = values["placement"]
    settings: dict[str, Any] = {"placement": placement}
    if placement == TOPIC:
        chosen = topic(values["topic_name"])
        settings.update(topic_slug=chosen.slug, topic_name=chosen.name)
    elif placement == ITEM:
        settings["item_key"] = values["item_key"]
    return ActivityPlan(
        kind=kind.key, title=values["title"], text=values.get("text") or "", settings=settings
    )


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
