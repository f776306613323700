"""Statements of library moderation: flagged (an item or a comment) and shared."""

from __future__ import annotations

from datetime import UTC, datetime

from tincan import Statement as TinCanStatement

from xapi.library_moderation import LIBRARY_COMMENT, LIBRARY_ITEM, flagged, shared
from xapi.profile import Verb
from xapi.statements import Person, Place
from xapi.validation import validate_statement

AT = datetime(2026, 3, 1, 10, 30, 15, 123456, tzinfo=UTC)
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
ITEM = (5, "Pivot tables", "8f7c8c1e-9d7e-4a55-8d0a-3f1f9d0c2b11")
BASE = "https://peerlearn.example.edu/xapi"


def test_flagging_an_item() -> None:
    statement = flagged(person=PERSON, place=PLACE, item=ITEM, flag_pk=9, comment_pk=None, at=AT)
    validate_statement(statement)
    TinCanStatement(statement)
    assert statement["verb"]["id"] == Verb.FLAGGED.iri
    assert statement["object"]["id"] == f"{BASE}/library-items/5"
    assert statement["object"]["definition"]["type"] == LIBRARY_ITEM
    assert "parent" not in statement["context"]["contextActivities"]
    assert "name" not in statement["actor"]
    again = flagged(person=PERSON, place=PLACE, item=ITEM, flag_pk=9, comment_pk=None, at=AT)
    assert again["id"] == statement["id"]
    other = flagged(person=PERSON, place=PLACE, item=ITEM, flag_pk=10, comment_pk=None, at=AT)
    assert other["id"] != statement["id"]


def test_flagging_a_comment_names_its_item_as_parent() -> None:
    statement = flagged(
        person=PERSON, place=PLACE, item=ITEM, flag_pk=9, comment_pk=12, at=AT, identify=True
    )
    validate_statement(statement)
    assert statement["object"]["id"] == f"{BASE}/library-comments/12"
    assert statement["object"]["definition"]["type"] == LIBRARY_COMMENT
    [parent] = statement["context"]["contextActivities"]["parent"]
    assert parent["id"] == f"{BASE}/library-items/5"
    assert statement["actor"]["name"] == "Grace Hopper"


def test_sharing_names_the_target_course() -> None:
    statement = shared(person=PERSON, place=PLACE, item=ITEM, target_course=(8, "Other"), at=AT)
    validate_statement(statement)
    TinCanStatement(statement)
    assert statement["verb"]["id"] == Verb.SHARED.iri
    [other] = statement["context"]["contextActivities"]["other"]
    assert other["id"] == f"{BASE}/courses/8"
    assert other["definition"]["name"] == {"en-US": "Other"}
    grouping = statement["context"]["contextActivities"]["grouping"]
    assert grouping[0]["id"] == f"{BASE}/courses/7"
    untitled = shared(person=PERSON, place=PLACE, item=ITEM, target_course=(8, None), at=AT)
    assert "name" not in untitled["context"]["contextActivities"]["other"][0]["definition"]
