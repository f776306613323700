"""Peer review statements: a calibration example answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from xapi.peer_review import answered_calibration
from xapi.profile import ActivityType, Extension, Verb
from xapi.statements import Person, Place
from xapi.validation import validate_statement

AT = datetime(2026, 11, 29, 10, 30, 15, tzinfo=UTC)
PERSON = Person(issuer="https://moodle.example.edu", sub="42", name="Grace Hopper")
PLACE = Place(
    base_url="https://peerlearn.example.edu",
    platform_pk=3,
    platform_issuer="https://moodle.example.edu",
    platform_name="Moodle",
    deployment_id="1",
    context_pk=7,
    context_lti_id="course-7",
    context_title="Peer Learning 101",
)
ACTIVITY = (5, "Essay review", "0b5c3c1e-52a4-4f59-8c39-2d2f6c1f0a11")


def answered(**changes: object) -> dict:
    arguments: dict[str, object] = {
        "person": PERSON,
        "place": PLACE,
        "activity": ACTIVITY,
        "example_pk": 12,
        "attempt_pk": 30,
        "accuracy": 0.6875,
        "rubric_scores": {"argument": 0.0, "clarity": 0.0},
        "at": AT,
        **changes,
    }
    return answered_calibration(**arguments)  # type: ignore[arg-type]


def test_a_calibration_answer_follows_the_profile() -> None:
    statement = answered()
    validate_statement(statement, now=AT + timedelta(seconds=1))
    assert statement["verb"]["id"] == Verb.ANSWERED.iri
    assert statement["object"]["id"] == "https://peerlearn.example.edu/xapi/calibration-examples/12"
    assert statement["object"]["definition"]["type"] == ActivityType.CALIBRATION_EXAMPLE
    assert statement["result"]["score"] == {"raw": 68.75, "min": 0.0, "max": 100, "scaled": 0.6875}
    assert statement["result"]["extensions"][Extension.RUBRIC_SCORES] == {
        "argument": 0.0,
        "clarity": 0.0,
    }
    parent = statement["context"]["contextActivities"]["parent"][0]
    assert parent["id"] == "https://peerlearn.example.edu/xapi/activities/5"
    assert "Grace" not in str(statement)


def test_one_statement_per_attempt() -> None:
    assert answered()["id"] == answered(accuracy=1.0, at=AT + timedelta(hours=1))["id"]
    assert answered()["id"] != answered(attempt_pk=31)["id"]
