"""Statements of social learning in the course library: commented, replied, liked, rated.

Interim home: lib-core's ``xapi/library.py`` holds the builders for every library verb;
until it lands, lib-social's acts are built here with the same shapes (object: the
content item, ``/xapi/library-items/<id>``; a reply's object: the comment it answers,
with the item as parent). Ids derive from the item's key (a UUID) and the rows behind
the event, so a retry is the same statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xapi.profile import Verb
from xapi.statements import (
    Person,
    Place,
    Statement,
    actor,
    context,
    statement_id,
    verb,
    xapi_timestamp,
)

# Not yet in xapi/profile.py (lib-core adds the library's activity types there).
CONTENT_ITEM_TYPE = "http://id.tincanapi.com/activitytype/resource"
COMMENT_TYPE = "http://activitystrea.ms/schema/1.0/comment"
RATING_MIN = 1
RATING_MAX = 5
# The LRS keeps what learners wrote; a long comment is cut, not refused.
RESPONSE_LIMIT = 2_000


@dataclass(frozen=True)
class LibraryObject:
    """The content item a statement is about."""

    pk: int
    key: str
    title: str


def item_activity(place: Place, item: LibraryObject) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": place.activity_iri("library-items", item.pk),
        "definition": {"type": CONTENT_ITEM_TYPE, "name": {"en-US": item.title}},
    }


def _comment_activity(place: Place, comment_pk: int) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": place.activity_iri("library-comments", comment_pk),
        "definition": {"type": COMMENT_TYPE},
    }


def _statement(
    *,
    event_id: str,
    person: Person,
    which: Verb,
    obj: dict[str, Any],
    place: Place,
    at: datetime,
    identify: bool,
    parent: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
) -> Statement:
    built: Statement = {
        "id": event_id,
        "actor": actor(person, identify=identify),
        "verb": verb(which),
        "object": obj,
        "context": context(place, parent=[parent] if parent else ()),
        "timestamp": xapi_timestamp(at),
    }
    if result is not None:
        built["result"] = result
    return built


def commented(
    *,
    person: Person,
    place: Place,
    item: LibraryObject,
    comment_pk: int,
    text: str,
    at: datetime,
    identify: bool = False,
) -> Statement:
    return _statement(
        event_id=statement_id(item.key, "commented", comment_pk),
        person=person,
        which=Verb.COMMENTED,
        obj=item_activity(place, item),
        place=place,
        at=at,
        identify=identify,
        result={"response": text[:RESPONSE_LIMIT]},
    )


def replied(
    *,
    person: Person,
    place: Place,
    item: LibraryObject,
    comment_pk: int,
    answered_pk: int,
    text: str,
    at: datetime,
    identify: bool = False,
) -> Statement:
    return _statement(
        event_id=statement_id(item.key, "replied", comment_pk),
        person=person,
        which=Verb.REPLIED,
        obj=_comment_activity(place, answered_pk),
        parent=item_activity(place, item),
        place=place,
        at=at,
        identify=identify,
        result={"response": text[:RESPONSE_LIMIT]},
    )


def liked(
    *,
    person: Person,
    place: Place,
    item: LibraryObject,
    at: datetime,
    identify: bool = False,
) -> Statement:
    return _statement(
        event_id=statement_id(item.key, "liked", person.sub, xapi_timestamp(at)),
        person=person,
        which=Verb.LIKED,
        obj=item_activity(place, item),
        place=place,
        at=at,
        identify=identify,
    )


def rated(
    *,
    person: Person,
    place: Place,
    item: LibraryObject,
    rating: int,
    at: datetime,
    identify: bool = False,
) -> Statement:
    scaled = (rating - RATING_MIN) / (RATING_MAX - RATING_MIN)
    return _statement(
        event_id=statement_id(item.key, "rated", person.sub, rating, xapi_timestamp(at)),
        person=person,
        which=Verb.RATED,
        obj=item_activity(place, item),
        place=place,
        at=at,
        identify=identify,
        result={
            "score": {
                "raw": rating,
                "min": RATING_MIN,
                "max": RATING_MAX,
                "scaled": round(scaled, 4),
            }
        },
    )
