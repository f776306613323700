"""Statements of a peer review activity: submitted, was assigned, reviewed, scored, rated,
flagged, and a calibration example answered. Each names the activity as its parent. Ids
derive from the activity's key (a UUID, unique across installations) and the event's
rows, so a retry is the same statement and two installations never collide in one LRS."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from xapi.profile import ActivityType, Extension, Verb
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

HELPFULNESS_MAX = 5


def _object(place: Place, kind: str, pk: int, activity_type: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": place.activity_iri(kind, pk),
        "definition": {"type": activity_type},
    }


def _parent(place: Place, activity_pk: int, title: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": place.activity_iri("activities", activity_pk),
        "definition": {"type": ActivityType.PEER_REVIEW, "name": {"en-US": title}},
    }


def _score(raw: float, maximum: float, minimum: float = 0.0) -> dict[str, float]:
    scaled = (raw - minimum) / (maximum - minimum) if maximum > minimum else 0.0
    # Extra credit may pass the maximum; xAPI bounds scaled to [-1, 1] and raw to max.
    return {
        "raw": min(raw, maximum),
        "min": minimum,
        "max": maximum,
        "scaled": round(max(-1.0, min(1.0, scaled)), 4),
    }


def _statement(
    *,
    event_id: str,
    person: Person,
    which: Verb,
    obj: dict[str, Any],
    place: Place,
    activity: tuple[int, str, str],
    at: datetime,
    identify: bool,
    result: dict[str, Any] | None = None,
) -> Statement:
    built: Statement = {
        "id": event_id,
        "actor": actor(person, identify=identify),
        "verb": verb(which),
        "object": obj,
        "context": context(place, parent=[_parent(place, activity[0], activity[1])]),
        "timestamp": xapi_timestamp(at),
    }
    if result is not None:
        built["result"] = result
    return built


def submitted(
    *,
    person: Person,
    place: Place,
    activity: tuple[int, str, str],
    submission_pk: int,
    version: int,
    at: datetime,
    identify: bool = False,
) -> Statement:
    return _statement(
        event_id=statement_id(activity[2], "submitted", submission_pk, version),
        person=person,
        which=Verb.SUBMITTED,
        obj=_object(place, "submissions", submission_pk, ActivityType.SUBMISSION),
        place=place,
        activity=activity,
        at=at,
        identify=identify,
        result={"extensions": {Extension.SUBMISSION_VERSION: version}},
    )


def was_assigned(
    *,
    person: Person,
    place: Place,
    activity: tuple[int, str, str],
    submission_pk: int,
    allocation_pk: int,
    at: datetime,
    identify: bool = False,
) -> Statement:
    return _statement(
        event_id=statement_id(activity[2], "was-assigned", allocation_pk),
        person=person,
        which=Verb.WAS_ASSIGNED,
        obj=_object(place, "submissions", submission_pk, ActivityType.SUBMISSION),
        place=place,
        activity=activity,
        at=at,
        identify=identify,
    )


def reviewed(
    *,
    person: Person,
    place: Place,
    activity: tuple[int, str, str],
    submission_pk: int,
    assessment_pk: int,
    points: float,
    maximum: float,
    rubric_scores: Mapping[str, float],
    at: datetime,
    identify: bool = False,
) -> Statement:
    return _statement(
        event_id=statement_id(activity[2], "reviewed", assessment_pk),
        person=person,
        which=Verb.REVIEWED,
        obj=_object(place, "submissions", submission_pk, ActivityType.SUBMISSION),
        place=place,
        activity=activity,
        at=at,
        identify=identify,
        result={
            "score": _score(points, maximum),
            "completion": True,
            "extensions": {Extension.RUBRIC_SCORES: dict(rubric_scores)},
        },
    )


def scored(
    *,
    person: Person,
    place: Place,
    activity: tuple[int, str, str],
    score: float,
    maximum: float,
    grading_progress: str,
    at: datetime,
    identify: bool = False,
) -> Statement:
    activity_pk, title, key = activity
    return _statement(
        event_id=statement_id(key, "scored", person.sub, xapi_timestamp(at)),
        person=person,
        which=Verb.SCORED,
        obj=_parent(place, activity_pk, title),
        place=place,
        activity=activity,
        at=at,
        identify=identify,
        result={
            "score": _score(score, maximum),
            "completion": True,
            "extensions": {Extension.GRADING_PROGRESS: grading_progress},
        },
    )


def rated(
    *,
    person: Person,
    place: Place,
    activity: tuple[int, str, str],
    assessment_pk: int,
    rating: int,
    at: datetime,
    identify: bool = False,
) -> Statement:
    return _statement(
        event_id=statement_id(activity[2], "rated", assessment_pk, rating, xapi_timestamp(at)),
        person=person,
        which=Verb.RATED,
        obj=_object(place, "reviews", assessment_pk, ActivityType.REVIEW),
        place=place,
        activity=activity,
        at=at,
        identify=identify,
        result={"score": _score(rating, HELPFULNESS_MAX, 1)},
    )


def flagged(
    *,
    person: Person,
    place: Place,
    activity: tuple[int, str, str],
    assessment_pk: int,
    at: datetime,
    identify: bool = False,
) -> Statement:
    return _statement(
        event_id=statement_id(activity[2], "flagged", assessment_pk),
        person=person,
        which=Verb.FLAGGED,
        obj=_object(place, "reviews", assessment_pk, ActivityType.REVIEW),
        place=place,
        activity=activity,
        at=at,
        identify=identify,
    )


def answered_calibration(
    *,
    person: Person,
    place: Place,
    activity: tuple[int, str, str],
    example_pk: int,
    attempt_pk: int,
    accuracy: float,
    rubric_scores: Mapping[str, float],
    at: datetime,
    identify: bool = False,
) -> Statement:
    """A learner assessed a calibration example; ``accuracy`` (0..1) is how close they
    came to the teacher's assessment when they submitted it."""
    return _statement(
        event_id=statement_id(activity[2], "calibrated", attempt_pk),
        person=person,
        which=Verb.ANSWERED,
        obj=_object(place, "calibration-examples", example_pk, ActivityType.CALIBRATION_EXAMPLE),
        place=place,
        activity=activity,
        at=at,
        identify=identify,
        result={
            "score": _score(round(accuracy * 100, 2), 100),
            "completion": True,
            "extensions": {Extension.RUBRIC_SCORES: dict(rubric_scores)},
        },
    )
