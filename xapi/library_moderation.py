"""Statements of library moderation and sharing: a person flagged an item or a comment;
staff shared an item to another course.

Interim copy, until lib-core's ``xapi/library.py`` (which owns every library verb) is on
this branch: these builders take the same arguments and build the same statements as
``xapi.library.flagged`` and ``xapi.library.shared`` there (same ids, IRIs, activity
types and extensions), so the merge only swaps the import and deletes this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xapi.profile import EXTENSION_BASE, Verb
from xapi.statements import (
    LANGUAGE,
    Person,
    Place,
    Statement,
    actor,
    context,
    statement_id,
    verb,
    xapi_timestamp,
)

FLAG_REASON_LIMIT = 500
# Activity types and the extension as lib-core adds them to xapi.profile.
LIBRARY = "https://peerlearn.dev/xapi/activity-types/library"
COMMENT = "http://activitystrea.ms/schema/1.0/comment"
COURSE = "http://adlnet.gov/expapi/activities/course"
FLAG_REASON = EXTENSION_BASE + "flag-reason"
ITEM_TYPES = {
    "article": "http://activitystrea.ms/schema/1.0/article",
    "tip": "http://activitystrea.ms/schema/1.0/note",
    "slides": "http://id.tincanapi.com/activitytype/slide-deck",
    "link": "http://adlnet.gov/expapi/activities/link",
    "video": "https://w3id.org/xapi/video/activity-type/video",
    "file": "http://activitystrea.ms/schema/1.0/file",
}


@dataclass(frozen=True)
class LibraryItem:
    """The item a statement is about: its key, title, kind and owning course."""

    key: str
    title: str
    kind: str
    course_pk: int


def library_iri(place: Place, course_pk: int) -> str:
    return f"{place.base_url}/xapi/courses/{course_pk}/library"


def item_iri(place: Place, item: LibraryItem) -> str:
    return f"{library_iri(place, item.course_pk)}/items/{item.key}"


def comment_iri(place: Place, item: LibraryItem, comment_pk: int) -> str:
    return f"{item_iri(place, item)}/comments/{comment_pk}"


def _item_object(place: Place, item: LibraryItem) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": ITEM_TYPES.get(item.kind, ITEM_TYPES["article"])}
    if item.title:
        definition["name"] = {LANGUAGE: item.title}
    return {"objectType": "Activity", "id": item_iri(place, item), "definition": definition}


def _library(place: Place, course_pk: int) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": library_iri(place, course_pk),
        "definition": {"type": LIBRARY, "name": {LANGUAGE: "Course library"}},
    }


def _statement(
    *,
    event_id: str,
    person: Person,
    which: Verb,
    obj: dict[str, Any],
    place: Place,
    item: LibraryItem,
    at: datetime,
    identify: bool,
    result: dict[str, Any] | None = None,
    parents: tuple[dict[str, Any], ...] = (),
    other: tuple[dict[str, Any], ...] = (),
) -> Statement:
    built_context = context(place, parent=[*parents, _library(place, item.course_pk)])
    if other:
        built_context["contextActivities"]["other"] = list(other)
    built: Statement = {
        "id": event_id,
        "actor": actor(person, identify=identify),
        "verb": verb(which),
        "object": obj,
        "context": built_context,
        "timestamp": xapi_timestamp(at),
    }
    if result is not None:
        built["result"] = result
    return built


def shared(
    *,
    person: Person,
    place: Place,
    item: LibraryItem,
    share_pk: int,
    target_course_pk: int,
    target_course_title: str | None,
    at: datetime,
    identify: bool = False,
) -> Statement:
    """Staff shared an item to another course of the same deployment."""
    target: dict[str, Any] = {
        "objectType": "Activity",
        "id": place.activity_iri("courses", target_course_pk),
        "definition": {"type": COURSE},
    }
    if target_course_title:
        target["definition"]["name"] = {LANGUAGE: target_course_title}
    return _statement(
        event_id=statement_id(item.key, "shared", share_pk),
        person=person,
        which=Verb.SHARED,
        obj=_item_object(place, item),
        place=place,
        item=item,
        at=at,
        identify=identify,
        other=(target,),
    )


def flagged(
    *,
    person: Person,
    place: Place,
    item: LibraryItem,
    flag_pk: int,
    reason: str,
    comment_pk: int | None = None,
    at: datetime,
    identify: bool = False,
) -> Statement:
    """Someone flagged an item (or one of its comments) for staff, with a reason."""
    obj = (
        _item_object(place, item)
        if comment_pk is None
        else {
            "objectType": "Activity",
            "id": comment_iri(place, item, comment_pk),
            "definition": {"type": COMMENT},
        }
    )
    return _statement(
        event_id=statement_id(item.key, "flagged", flag_pk),
        person=person,
        which=Verb.FLAGGED,
        obj=obj,
        place=place,
        item=item,
        at=at,
        identify=identify,
        result={"extensions": {FLAG_REASON: reason[:FLAG_REASON_LIMIT]}},
        parents=() if comment_pk is None else (_item_object(place, item),),
    )
