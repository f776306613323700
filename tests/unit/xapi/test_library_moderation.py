"""Statements of library moderation: flagged (an item or a comment) and shared."""

from __future__ import annotations

from datetime import UTC, datetime

from tincan import Statement as TinCanStatement

from xapi.library import ITEM_TYPES, LibraryItem, flagged, shared
from xapi.profile import ActivityType, Extension, Verb
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
ITEM = LibraryItem("8f7c8c1e-9d7e-4a55-8d0a-3f1f9d0c2b11", "Pivot tables", "tip", 7)
COMMENT = ActivityType.COMMENT
FLAG_REASON = Extension.FLAG_REASON
LIBRARY = "https://peerlearn.example.edu/xapi/courses/7/library"
ITEM_IRI = f"{LIBRARY}/items/{ITEM.key}"


def flag(**changes: object) -> dict:  # type: ignore[type-arg]
    values = {"person": PERSON, "place": PLACE, "item": ITEM, "flag_pk": 9, "reason": "spam"}
    return flagged(**(values | changes), at=AT)  # type: ignore[arg-type]


def test_flagging_an_item() -> None:
    statement = flag()
    validate_statement(statement)
    TinCanStatement(statement)
    assert statement["verb"]["id"] == Verb.FLAGGED.iri
    assert statement["object"]["id"] == ITEM_IRI
    assert statement["object"]["definition"]["type"] == ITEM_TYPES["tip"]
    parents = [found["id"] for found in statement["context"]["contextActivities"]["parent"]]
    assert parents == [LIBRARY]
    assert statement["result"]["extensions"][FLAG_REASON] == "spam"
    assert "name" not in statement["actor"]
    assert flag()["id"] == statement["id"]
    assert flag(flag_pk=10)["id"] != statement["id"]
    assert len(flag(reason="x" * 900)["result"]["extensions"][FLAG_REASON]) == 500


def test_flagging_a_comment_names_its_item_as_parent() -> None:
    statement = flag(comment_pk=12, identify=True)
    validate_statement(statement)
    assert statement["object"]["id"] == f"{ITEM_IRI}/comments/12"
    assert statement["object"]["definition"]["type"] == COMMENT
    parents = [found["id"] for found in statement["context"]["contextActivities"]["parent"]]
    assert parents == [ITEM_IRI, LIBRARY]
    assert statement["actor"]["name"] == "Grace Hopper"


def test_sharing_names_the_target_course() -> None:
    common = {"person": PERSON, "place": PLACE, "item": ITEM, "share_pk": 4, "at": AT}
    statement = shared(**common, target_course_pk=8, target_course_title="Other")  # type: ignore[arg-type]
    validate_statement(statement)
    TinCanStatement(statement)
    assert statement["verb"]["id"] == Verb.SHARED.iri
    assert statement["object"]["id"] == ITEM_IRI
    [other] = statement["context"]["contextActivities"]["other"]
    assert other["id"] == "https://peerlearn.example.edu/xapi/courses/8"
    assert other["definition"]["name"] == {"en-US": "Other"}
    untitled = shared(**common, target_course_pk=8, target_course_title=None)  # type: ignore[arg-type]
    assert "name" not in untitled["context"]["contextActivities"]["other"][0]["definition"]
