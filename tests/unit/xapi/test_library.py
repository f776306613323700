"""Every library statement builder produces a valid statement with stable ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tincan import Statement as TinCanStatement

from xapi import library
from xapi.profile import ActivityType, Verb
from xapi.statements import Person, Place
from xapi.validation import validate_statement

AT = datetime(2026, 11, 29, 10, 30, 15, 123000, tzinfo=UTC)
PERSON = Person(issuer="https://lms.example", sub="42", name="Grace")
PLACE = Place(
    base_url="https://peerlearn.example",
    platform_pk=3,
    platform_issuer="https://lms.example",
    platform_name="Moodle",
    deployment_id="1",
    context_pk=7,
    context_lti_id="course-7",
    context_title="Peer learning",
)
ITEM = library.LibraryItem(
    key="1b7c0b52-5d71-4b0e-9a44-1f0e8d0c6a11", title="Tips", kind="tip", course_pk=7
)
COMMON = {"person": PERSON, "place": PLACE, "item": ITEM, "at": AT}


def all_statements() -> dict[str, dict]:
    return {
        "authored": library.authored(**COMMON),
        "edited": library.edited(**COMMON, version=3),
        "shared": library.shared(
            **COMMON, share_pk=5, target_course_pk=9, target_course_title="Other course"
        ),
        "viewed": library.viewed(**COMMON),
        "commented": library.commented(**COMMON, comment_pk=11, text="Great tip"),
        "replied": library.replied(**COMMON, comment_pk=12, parent_comment_pk=11, text="Thanks"),
        "liked": library.liked(**COMMON),
        "rated": library.rated(**COMMON, rating=4),
        "flagged": library.flagged(**COMMON, flag_pk=2, reason="Off topic"),
        "flagged comment": library.flagged(**COMMON, flag_pk=3, reason="Rude", comment_pk=11),
        "voided": library.voided(
            person=PERSON, place=PLACE, target_id=library.authored_id(ITEM.key), at=AT
        ),
    }


@pytest.mark.parametrize("name", list(all_statements()))
def test_every_builder_is_valid(name: str) -> None:
    validate_statement(all_statements()[name], now=AT)
    TinCanStatement(all_statements()[name])  # the reference model reads it too


def test_comments_keep_their_text_up_to_a_limit_and_a_retry_is_the_same() -> None:
    long = library.commented(**COMMON, comment_pk=9, text="x" * 3000)
    assert len(long["result"]["response"]) == library.RESPONSE_LIMIT
    assert library.commented(**COMMON, comment_pk=9, text="other")["id"] == long["id"]
    assert "result" not in library.liked(**COMMON)
    assert "name" not in long["actor"]  # names only when the platform opts in
    assert library.liked(**COMMON, identify=True)["actor"]["name"] == "Grace"


def test_items_are_named_by_course_and_key() -> None:
    built = all_statements()
    iri = f"https://peerlearn.example/xapi/courses/7/library/items/{ITEM.key}"
    assert built["authored"]["object"]["id"] == iri
    assert built["authored"]["object"]["definition"]["type"] == ActivityType.TIP
    assert built["authored"]["verb"]["id"] == Verb.AUTHORED.iri
    assert built["replied"]["object"]["id"] == f"{iri}/comments/11"
    parents = built["replied"]["context"]["contextActivities"]["parent"]
    assert [p["id"] for p in parents] == [iri, "https://peerlearn.example/xapi/courses/7/library"]
    assert built["rated"]["result"]["score"] == {"raw": 4, "min": 1, "max": 5, "scaled": 0.75}
    assert built["voided"]["object"] == {
        "objectType": "StatementRef",
        "id": library.authored_id(ITEM.key),
    }
    assert "platform" not in built["voided"]["context"]
    shared_other = built["shared"]["context"]["contextActivities"]["other"]
    assert shared_other[0]["id"] == "https://peerlearn.example/xapi/courses/9"


def test_ids_are_stable_and_distinct() -> None:
    first, second = all_statements(), all_statements()
    assert [s["id"] for s in first.values()] == [s["id"] for s in second.values()]
    assert len({s["id"] for s in first.values()}) == len(first)
    assert library.edited_id(ITEM.key, 2) != library.edited_id(ITEM.key, 3)


def test_ratings_outside_one_to_five_are_a_bug() -> None:
    with pytest.raises(ValueError, match="1 to 5"):
        library.rated(**COMMON, rating=6)
