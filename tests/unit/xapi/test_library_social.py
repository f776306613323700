"""Statements of social learning in the library: valid xAPI, the profile's verbs, the
item as object (a reply: the comment answered, with the item as parent), stable ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tincan import Statement as TinCanStatement

from xapi import library_social
from xapi.library_social import LibraryObject
from xapi.profile import Verb
from xapi.statements import Person, Place
from xapi.validation import validate_statement

AT = datetime(2026, 11, 29, 10, 30, 15, 123456, tzinfo=UTC)
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
ITEM = LibraryObject(pk=5, key="0b6a3c1e-95a4-4a57-9d42-7b7c1c9f3e10", title="Decorators")
ITEM_IRI = "https://peerlearn.example.edu/xapi/library-items/5"


def check(statement: dict) -> dict:
    validate_statement(statement, now=AT + timedelta(seconds=1))
    TinCanStatement(statement)  # the reference model reads it too
    return statement


def test_commented_names_the_item_and_keeps_the_text() -> None:
    statement = check(
        library_social.commented(
            person=PERSON, place=PLACE, item=ITEM, comment_pk=9, text="x" * 3000, at=AT
        )
    )
    assert statement["verb"]["id"] == Verb.COMMENTED.iri
    assert statement["object"]["id"] == ITEM_IRI
    assert statement["object"]["definition"]["name"] == {"en-US": "Decorators"}
    assert len(statement["result"]["response"]) == library_social.RESPONSE_LIMIT
    again = library_social.commented(
        person=PERSON, place=PLACE, item=ITEM, comment_pk=9, text="other", at=AT
    )
    assert again["id"] == statement["id"]  # a retry of the same comment


def test_replied_answers_a_comment_within_the_item() -> None:
    statement = check(
        library_social.replied(
            person=PERSON, place=PLACE, item=ITEM, comment_pk=10, answered_pk=9, text="Yes", at=AT
        )
    )
    assert statement["verb"]["id"] == Verb.REPLIED.iri
    assert statement["object"]["id"] == "https://peerlearn.example.edu/xapi/library-comments/9"
    assert statement["context"]["contextActivities"]["parent"][0]["id"] == ITEM_IRI


def test_liked_has_no_result() -> None:
    statement = check(library_social.liked(person=PERSON, place=PLACE, item=ITEM, at=AT))
    assert statement["verb"]["id"] == Verb.LIKED.iri
    assert "result" not in statement
    assert "name" not in statement["actor"]  # names only when the platform opts in


@pytest.mark.parametrize(("rating", "scaled"), [(1, 0.0), (3, 0.5), (5, 1.0)])
def test_rated_scores_one_to_five(rating: int, scaled: float) -> None:
    statement = check(
        library_social.rated(
            person=PERSON, place=PLACE, item=ITEM, rating=rating, at=AT, identify=True
        )
    )
    assert statement["verb"]["id"] == Verb.RATED.iri
    assert statement["result"]["score"] == {"raw": rating, "min": 1, "max": 5, "scaled": scaled}
    assert statement["actor"]["name"] == "Grace Hopper"
