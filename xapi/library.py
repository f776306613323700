"""Statements of the course library: authored, edited, shared, viewed, commented, replied,
liked, rated, flagged, and voided when an item is deleted.

An item is named ``<base>/xapi/courses/<course>/library/items/<key>``: its key is a UUID
(unique across installations) and the course is the one that owns it, so a placement of
the same item in a course it was shared to still names one activity. Every statement's
parent is the course library. Ids derive from the item key and the rows behind the event,
so a retry is the same statement; "viewed", "liked" and "rated" also carry their time,
since a person may do them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xapi.profile import ActivityType, Extension, Verb
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

RATING_MIN, RATING_MAX = 1, 5
RESPONSE_LIMIT = 2000
FLAG_REASON_LIMIT = 500

ITEM_TYPES = {
    "article": ActivityType.ARTICLE,
    "tip": ActivityType.TIP,
    "slides": ActivityType.SLIDES,
    "link": ActivityType.LINK,
    "video": ActivityType.VIDEO,
    "file": ActivityType.FILE,
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
    definition: dict[str, Any] = {"type": ITEM_TYPES.get(item.kind, ActivityType.ARTICLE)}
    if item.title:
        definition["name"] = {LANGUAGE: item.title}
    return {"objectType": "Activity", "id": item_iri(place, item), "definition": definition}


def _comment_object(place: Place, item: LibraryItem, comment_pk: int) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": comment_iri(place, item, comment_pk),
        "definition": {"type": ActivityType.COMMENT},
    }


def _library(place: Place, course_pk: int) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": library_iri(place, course_pk),
        "definition": {"type": ActivityType.LIBRARY, "name": {LANGUAGE: "Course library"}},
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


def authored_id(item_key: str) -> str:
    return statement_id(item_key, "authored")


def edited_id(item_key: str, version: int) -> str:
    return statement_id(item_key, "edited", version)


def authored(
    *, person: Person, place: Place, item: LibraryItem, at: datetime, identify: bool = False
) -> Statement:
    """Someone created an item (its first version)."""
    return _statement(
        event_id=authored_id(item.key),
        person=person,
        which=Verb.AUTHORED,
        obj=_item_object(place, item),
        place=place,
        item=item,
        at=at,
        identify=identify,
        result={"extensions": {Extension.LIBRARY_ITEM_VERSION: 1}},
    )


def edited(
    *,
    person: Person,
    place: Place,
    item: LibraryItem,
    version: int,
    at: datetime,
    identify: bool = False,
) -> Statement:
    """Someone saved a new version of an item (restoring an old one included)."""
    return _statement(
        event_id=edited_id(item.key, version),
        person=person,
        which=Verb.EDITED,
        obj=_item_object(place, item),
        place=place,
        item=item,
        at=at,
        identify=identify,
        result={"extensions": {Extension.LIBRARY_ITEM_VERSION: version}},
    )


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
        "definition": {"type": ActivityType.COURSE},
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


def viewed(
    *, person: Person, place: Place, item: LibraryItem, at: datetime, identify: bool = False
) -> Statement:
    """Someone opened an item (recorded at most once per person per item per hour)."""
    return _statement(
        event_id=statement_id(item.key, "viewed", person.issuer, person.sub, xapi_timestamp(at)),
        person=person,
        which=Verb.VIEWED,
        obj=_item_object(place, item),
        place=place,
        item=item,
        at=at,
        identify=identify,
    )


def commented(
    *,
    person: Person,
    place: Place,
    item: LibraryItem,
    comment_pk: int,
    text: str,
    at: datetime,
    identify: bool = False,
) -> Statement:
    """Someone commented on an item; the response is the comment's Markdown."""
    return _statement(
        event_id=statement_id(item.key, "commented", comment_pk),
        person=person,
        which=Verb.COMMENTED,
        obj=_item_object(place, item),
        place=place,
        item=item,
        at=at,
        identify=identify,
        result={"response": text[:RESPONSE_LIMIT]},
    )


def replied(
    *,
    person: Person,
    place: Place,
    item: LibraryItem,
    comment_pk: int,
    parent_comment_pk: int,
    text: str,
    at: datetime,
    identify: bool = False,
) -> Statement:
    """Someone replied to a comment: the object is the comment, the item its parent."""
    return _statement(
        event_id=statement_id(item.key, "replied", comment_pk),
        person=person,
        which=Verb.REPLIED,
        obj=_comment_object(place, item, parent_comment_pk),
        place=place,
        item=item,
        at=at,
        identify=identify,
        result={"response": text[:RESPONSE_LIMIT]},
        parents=(_item_object(place, item),),
    )


def liked(
    *, person: Person, place: Place, item: LibraryItem, at: datetime, identify: bool = False
) -> Statement:
    """Someone marked an item "this helped me"."""
    return _statement(
        event_id=statement_id(item.key, "liked", person.issuer, person.sub, xapi_timestamp(at)),
        person=person,
        which=Verb.LIKED,
        obj=_item_object(place, item),
        place=place,
        item=item,
        at=at,
        identify=identify,
    )


def rated(
    *,
    person: Person,
    place: Place,
    item: LibraryItem,
    rating: int,
    at: datetime,
    identify: bool = False,
) -> Statement:
    """Someone rated an item from 1 to 5."""
    if not RATING_MIN <= rating <= RATING_MAX:
        raise ValueError(f"a rating is {RATING_MIN} to {RATING_MAX}")
    return _statement(
        event_id=statement_id(
            item.key, "rated", person.issuer, person.sub, rating, xapi_timestamp(at)
        ),
        person=person,
        which=Verb.RATED,
        obj=_item_object(place, item),
        place=place,
        item=item,
        at=at,
        identify=identify,
        result={
            "score": {
                "raw": rating,
                "min": RATING_MIN,
                "max": RATING_MAX,
                "scaled": round((rating - RATING_MIN) / (RATING_MAX - RATING_MIN), 4),
            }
        },
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
        else _comment_object(place, item, comment_pk)
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
        result={"extensions": {Extension.FLAG_REASON: reason[:FLAG_REASON_LIMIT]}},
        parents=() if comment_pk is None else (_item_object(place, item),),
    )


def voided(
    *, person: Person, place: Place, target_id: str, at: datetime, identify: bool = False
) -> Statement:
    """Voids one earlier statement (an item's authored or edited ones, when it is
    deleted). xAPI allows no ``platform`` in the context of a StatementRef object."""
    built_context = context(place)
    built_context.pop("platform", None)
    return {
        "id": statement_id("voided", target_id),
        "actor": actor(person, identify=identify),
        "verb": verb(Verb.VOIDED),
        "object": {"objectType": "StatementRef", "id": target_id},
        "context": built_context,
        "timestamp": xapi_timestamp(at),
    }
