from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from tincan import Statement as TinCanStatement

from xapi.profile import PROFILE_IRI, Extension, Verb
from xapi.statements import Person, Place, launched, statement_id, xapi_timestamp
from xapi.validation import validate_statement

AT = datetime(2026, 11, 29, 10, 30, 15, 123456, tzinfo=UTC)
PERSON = Person(
    issuer="https://moodle.example.edu", sub="42", name="Grace Hopper", email="grace@example.edu"
)
PLACE = Place(
    base_url="https://peerlearn.example.edu",
    platform_pk=3,
    platform_issuer="https://moodle.example.edu",
    platform_name="Moodle",
    deployment_id="1",
    context_pk=7,
    context_lti_id="course-7",
    context_title="Peer Learning 101",
    link_pk=11,
    link_lti_id="link-11",
    link_title="Week 1",
)


def launch(**changes: object) -> dict:
    arguments = {
        "launch_id": "abc",
        "person": PERSON,
        "place": PLACE,
        "at": AT,
        "message_type": "LtiResourceLinkRequest",
        "roles": ["Learner"],
        **changes,
    }
    return launched(**arguments)


def test_launched_statement_follows_the_profile() -> None:
    statement = launch()
    validate_statement(statement, now=AT + timedelta(seconds=1))
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "https://moodle.example.edu", "name": "42"},
    }
    assert statement["verb"]["id"] == Verb.LAUNCHED.iri
    assert statement["object"]["id"] == "https://peerlearn.example.edu/xapi/resource-links/11"
    assert statement["timestamp"] == "2026-11-29T10:30:15.123Z"
    activities = statement["context"]["contextActivities"]
    assert [a["id"] for a in activities["grouping"]] == [
        "https://peerlearn.example.edu/xapi/courses/7",
        "https://peerlearn.example.edu/xapi/platforms/3",
    ]
    assert activities["category"][0]["id"] == PROFILE_IRI
    extensions = statement["context"]["extensions"]
    assert extensions[Extension.LTI_RESOURCE_LINK_ID] == "link-11"
    assert extensions[Extension.LTI_ROLES] == ["Learner"]
    assert "version" not in statement


def test_no_personal_data_unless_identified() -> None:
    text = json.dumps(launch())
    assert "Grace" not in text
    assert "grace@example.edu" not in text
    assert launch(identify=True)["actor"]["name"] == "Grace Hopper"


def test_ids_are_deterministic_per_event() -> None:
    assert launch()["id"] == launch()["id"]
    assert launch(launch_id="other")["id"] != launch()["id"]
    assert statement_id("launched", "abc") == launch()["id"]
    # Same person, same placement: same attempt registration across launches.
    assert (
        launch(launch_id="other")["context"]["registration"] == launch()["context"]["registration"]
    )


def test_launch_outside_a_course_names_the_platform() -> None:
    place = Place(
        **{
            **PLACE.__dict__,
            "context_pk": None,
            "context_lti_id": None,
            "link_pk": None,
            "link_lti_id": None,
        }
    )
    statement = launch(place=place)
    validate_statement(statement, now=AT)
    assert statement["object"]["id"] == "https://peerlearn.example.edu/xapi/platforms/3"
    assert len(statement["context"]["contextActivities"]["grouping"]) == 1


def test_timestamps_are_utc_milliseconds() -> None:
    local = datetime(2026, 1, 2, 3, 4, 5, 678900, tzinfo=timezone(timedelta(hours=2)))
    assert xapi_timestamp(local) == "2026-01-02T01:04:05.678Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        xapi_timestamp(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


def test_tincan_reads_our_statements() -> None:
    parsed = TinCanStatement(launch())
    assert str(parsed.id) == launch()["id"]
    assert parsed.actor.account.name == "42"
    assert parsed.verb.id == Verb.LAUNCHED.iri
