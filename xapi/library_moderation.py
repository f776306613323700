"""Statements of library moderation and sharing: a person flagged an item or a comment;
staff shared an item to another course.

Interim home until lib-core's ``xapi/library.py`` (which owns every library verb) is
merged: the lead folds these two builders and the activity types into it. Ids derive
from the item's key (a UUID) and the rows behind the event, so retries repeat the id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from xapi.profile import Verb
from xapi.statements import Person, Place, Statement, actor, context, statement_id, verb
from xapi.statements import xapi_timestamp as timestamp

# Activity types of the library's objects (to join ActivityType when merged).
LIBRARY_ITEM = "https://peerlearn.dev/xapi/activity-types/library-item"
LIBRARY_COMMENT = "http://activitystrea.ms/schema/1.0/comment"
COURSE = "http://adlnet.gov/expapi/activities/course"


def item_activity(place: Place, item_pk: int, title: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": place.activity_iri("library-items", item_pk),
        "definition": {"type": LIBRARY_ITEM, "name": {"en-US": title}},
    }


def comment_activity(place: Place, comment_pk: int) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": place.activity_iri("library-comments", comment_pk),
        "definition": {"type": LIBRARY_COMMENT},
    }


def flagged(
    *,
    person: Person,
    place: Place,
    item: tuple[int, str, str],
    flag_pk: int,
    comment_pk: int | None,
    at: datetime,
    identify: bool = False,
) -> Statement:
    """``item`` is (pk, title, key). A flagged comment names its item as the parent."""
    item_pk, title, key = item
    parent = item_activity(place, item_pk, title)
    target = parent if comment_pk is None else comment_activity(place, comment_pk)
    return {
        "id": statement_id(key, "flagged", flag_pk),
        "actor": actor(person, identify=identify),
        "verb": verb(Verb.FLAGGED),
        "object": target,
        "context": context(place, parent=[] if comment_pk is None else [parent]),
        "timestamp": timestamp(at),
    }


def shared(
    *,
    person: Person,
    place: Place,
    item: tuple[int, str, str],
    target_course: tuple[int, str | None],
    at: datetime,
    identify: bool = False,
) -> Statement:
    """Staff shared the item (of the course in ``place``) to ``target_course`` (pk,
    title), named as an "other" context activity."""
    item_pk, title, key = item
    built_context = context(place)
    course: dict[str, Any] = {
        "objectType": "Activity",
        "id": place.activity_iri("courses", target_course[0]),
        "definition": {"type": COURSE},
    }
    if target_course[1]:
        course["definition"]["name"] = {"en-US": target_course[1]}
    built_context["contextActivities"]["other"] = [course]
    return {
        "id": statement_id(key, "shared", target_course[0], timestamp(at)),
        "actor": actor(person, identify=identify),
        "verb": verb(Verb.SHARED),
        "object": item_activity(place, item_pk, title),
        "context": built_context,
        "timestamp": timestamp(at),
    }
