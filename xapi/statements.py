"""Building statements: plain dicts that pass :mod:`xapi.validation`.

The actor is an ``account`` (homePage = the platform's issuer, name = the LTI ``sub``),
never an email or a name unless an administrator opts in per platform. Object ids are
stable IRIs under the tool's base URL. ``id`` is a UUIDv5 of the event's identity and
``timestamp`` is when the event happened, so a resend is recognisably the same
statement. No ``version`` property: the LRS sets it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from xapi.profile import PROFILE_IRI, ActivityType, Extension, Verb

# Fixed for ever: changing it would change every statement id.
PEERLEARN_NAMESPACE = uuid.UUID("7d1b8a64-3f0e-5c53-9b8e-6a2f4e1c9d20")
LANGUAGE = "en-US"

Statement = dict[str, Any]


def statement_id(*identity: object) -> str:
    """A deterministic statement id for the event named by ``identity``."""
    return str(uuid.uuid5(PEERLEARN_NAMESPACE, "\x1f".join(str(part) for part in identity)))


def xapi_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, the form LRSs store without rewriting."""
    if moment.tzinfo is None:
        raise ValueError("statement timestamps must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Person:
    """Who acted, as the platform knows them."""

    issuer: str
    sub: str
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Place:
    """Where an event happened: the platform, the course and the placement (resource link)."""

    base_url: str
    platform_pk: int
    platform_issuer: str
    platform_name: str
    deployment_id: str
    context_pk: int | None = None
    context_lti_id: str | None = None
    context_title: str | None = None
    link_pk: int | None = None
    link_lti_id: str | None = None
    link_title: str | None = None
    extra_extensions: Mapping[str, Any] = field(default_factory=dict)

    def activity_iri(self, kind: str, pk: int) -> str:
        return f"{self.base_url}/xapi/{kind}/{pk}"


def actor(person: Person, *, identify: bool = False) -> dict[str, Any]:
    """The actor; ``identify`` (a per-platform opt-in) adds the person's name."""
    agent: dict[str, Any] = {
        "objectType": "Agent",
        "account": {"homePage": person.issuer, "name": person.sub},
    }
    if identify and person.name:
        agent["name"] = person.name
    return agent


def _activity(iri: str, activity_type: str, name: str | None) -> dict[str, Any]:
    definition: dict[str, Any] = {"type": activity_type}
    if name:
        definition["name"] = {LANGUAGE: name}
    return {"objectType": "Activity", "id": iri, "definition": definition}


def resource_link_activity(place: Place) -> dict[str, Any]:
    if place.link_pk is None:
        raise ValueError("this event needs a resource link")
    return _activity(
        place.activity_iri("resource-links", place.link_pk),
        ActivityType.LTI_RESOURCE_LINK,
        place.link_title,
    )


def context(
    place: Place, *, registration: str | None = None, parent: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    grouping = [
        _activity(
            place.activity_iri("platforms", place.platform_pk),
            ActivityType.LMS,
            place.platform_name or None,
        ),
    ]
    if place.context_pk is not None:
        grouping.insert(
            0,
            _activity(
                place.activity_iri("courses", place.context_pk),
                ActivityType.COURSE,
                place.context_title,
            ),
        )
    activities: dict[str, Any] = {
        "grouping": grouping,
        "category": [
            {
                "objectType": "Activity",
                "id": PROFILE_IRI,
                "definition": {"type": ActivityType.PROFILE},
            }
        ],
    }
    if parent:
        activities["parent"] = list(parent)
    extensions: dict[str, Any] = {
        Extension.LTI_PLATFORM: place.platform_issuer,
        Extension.LTI_DEPLOYMENT_ID: place.deployment_id,
    }
    if place.context_lti_id is not None:
        extensions[Extension.LTI_CONTEXT_ID] = place.context_lti_id
    if place.link_lti_id is not None:
        extensions[Extension.LTI_RESOURCE_LINK_ID] = place.link_lti_id
    extensions.update(place.extra_extensions)
    built: dict[str, Any] = {
        "contextActivities": activities,
        "platform": "Peerlearn",
        "language": LANGUAGE,
        "extensions": extensions,
    }
    if registration is not None:
        built["registration"] = registration
    return built


def attempt_registration(place: Place, person: Person) -> str:
    """The registration of one person's attempt at one placement."""
    return statement_id("attempt", place.platform_pk, person.sub, place.link_pk)


def verb(which: Verb) -> dict[str, Any]:
    return {"id": which.iri, "display": {LANGUAGE: which.display}}


def launched(
    *,
    launch_id: str,
    person: Person,
    place: Place,
    at: datetime,
    message_type: str,
    roles: Sequence[str],
    identify: bool = False,
) -> Statement:
    """Someone opened Peerlearn from their LMS."""
    place = Place(
        **{
            **place.__dict__,
            "extra_extensions": {
                **place.extra_extensions,
                Extension.LTI_MESSAGE_TYPE: message_type,
                Extension.LTI_ROLES: list(roles),
            },
        }
    )
    obj = (
        resource_link_activity(place)
        if place.link_pk is not None
        else _activity(
            place.activity_iri("platforms", place.platform_pk),
            ActivityType.LMS,
            place.platform_name or None,
        )
    )
    return {
        "id": statement_id("launched", launch_id),
        "actor": actor(person, identify=identify),
        "verb": verb(Verb.LAUNCHED),
        "object": obj,
        "context": context(place, registration=attempt_registration(place, person)),
        "timestamp": xapi_timestamp(at),
    }
