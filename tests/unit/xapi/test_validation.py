"""The validator accepts what xAPI 1.0.3 allows and refuses the rest, property-tested."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xapi.validation import InvalidStatement, is_iri, is_language_tag, validate_statement

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

iris = st.builds(
    lambda host, path: f"https://{host}.example/{path}",
    st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9/_-]{0,20}", fullmatch=True),
)
tags = st.sampled_from(["en", "en-US", "fr-CA", "zh-Hant-TW", "de", "es-419", "und"])
language_maps = st.dictionaries(tags, st.text(max_size=20), min_size=1, max_size=3)
uuids = st.uuids(version=4).map(str)
timestamps = st.datetimes(
    # hypothesis takes naive bounds and adds the zone itself
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2026, 11, 28),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda moment: moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
agents = st.builds(
    lambda home, name: {"objectType": "Agent", "account": {"homePage": home, "name": name}},
    iris,
    st.text(min_size=1, max_size=12),
)
activities = st.builds(
    lambda iri, activity_type, name: {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": activity_type, "name": name},
    },
    iris,
    iris,
    language_maps,
)


@st.composite
def scores(draw: st.DrawFn) -> dict[str, float]:
    low = draw(st.integers(-100, 100))
    high = draw(st.integers(low + 1, low + 200))
    raw = draw(st.integers(low, high))
    return {"min": low, "max": high, "raw": raw, "scaled": draw(st.floats(-1, 1, allow_nan=False))}


statements = st.fixed_dictionaries(
    {
        "id": uuids,
        "actor": agents,
        "verb": st.fixed_dictionaries({"id": iris, "display": language_maps}),
        "object": activities,
        "timestamp": timestamps,
    },
    optional={
        "result": st.fixed_dictionaries(
            {},
            optional={
                "score": scores(),
                "success": st.booleans(),
                "completion": st.booleans(),
                "response": st.text(max_size=20),
                "duration": st.sampled_from(["PT1H", "P1DT2H3M4.5S", "PT0S", "P3W"]),
            },
        ),
        "context": st.fixed_dictionaries(
            {},
            optional={
                "registration": uuids,
                "language": tags,
                "platform": st.text(max_size=10),
                "contextActivities": st.fixed_dictionaries(
                    {},
                    optional={
                        "parent": st.lists(activities, min_size=1, max_size=2),
                        "grouping": st.lists(activities, min_size=1, max_size=2),
                    },
                ),
                "extensions": st.dictionaries(iris, st.integers(), max_size=2),
            },
        ),
    },
)


@settings(max_examples=200)
@given(statements)
def test_valid_statements_pass(statement: dict[str, Any]) -> None:
    validate_statement(statement, now=NOW)


BREAKAGES = {
    "relative verb IRI": lambda s: s["verb"].update(id="launched"),
    "bad language tag": lambda s: s["verb"].update(display={"english!": "x"}),
    "empty display": lambda s: s["verb"].update(display={}),
    "no actor": lambda s: s.pop("actor"),
    "two identifiers": lambda s: s["actor"].update(mbox="mailto:a@b.c"),
    "unknown top-level property": lambda s: s.update(version="1.0.3"),
    "stored by the tool": lambda s: s.update(stored="2026-01-01T00:00:00Z"),
    "unknown nested property": lambda s: s["object"].update(colour="red"),
    "id not a UUID": lambda s: s.update(id="not-a-uuid"),
    "future timestamp": lambda s: s.update(timestamp="2027-01-01T00:00:00Z"),
    "timestamp without zone": lambda s: s.update(timestamp="2026-01-01T00:00:00"),
    "scaled above 1": lambda s: s.update(result={"score": {"scaled": 1.5}}),
    "raw below min": lambda s: s.update(result={"score": {"raw": -1, "min": 0, "max": 10}}),
    "min not below max": lambda s: s.update(result={"score": {"min": 5, "max": 5}}),
    "registration not a UUID": lambda s: s.update(context={"registration": "abc"}),
    "extension key not an IRI": lambda s: s.update(context={"extensions": {"colour": 1}}),
    "bad duration": lambda s: s.update(result={"duration": "1 hour"}),
    "boolean success as text": lambda s: s.update(result={"success": "yes"}),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
@settings(max_examples=25)
@given(statement=statements)
def test_each_breakage_is_refused(statement: dict[str, Any], breakage: Any) -> None:
    broken = copy.deepcopy(statement)
    breakage(broken)
    with pytest.raises(InvalidStatement):
        validate_statement(broken, now=NOW)


def test_errors_name_their_path() -> None:
    with pytest.raises(InvalidStatement) as raised:
        validate_statement(
            {
                "actor": {"account": {"homePage": "x", "name": ""}},
                "verb": {"id": "v"},
                "object": {"id": "o"},
            },
            now=NOW,
        )
    assert "statement.actor.account.homePage: must be an absolute IRI, not 'x'" in (
        raised.value.errors
    )
    assert "statement.verb.id: must be an absolute IRI, not 'v'" in raised.value.errors


def test_voiding_statement_with_statement_ref() -> None:
    validate_statement(
        {
            "id": str(uuid.uuid4()),
            "actor": {"account": {"homePage": "https://lms.example", "name": "1"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
            "object": {"objectType": "StatementRef", "id": str(uuid.uuid4())},
            "timestamp": (NOW - timedelta(minutes=1)).isoformat(),
        },
        now=NOW,
    )


@given(st.text(max_size=30))
def test_iri_check_never_crashes(text: str) -> None:
    assert is_iri(text) in {True, False}
    assert is_language_tag(text) in {True, False}


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("https://example.com/x", True),
        ("urn:uuid:1234", True),
        ("mailto:a@b.c", True),
        ("example.com/x", False),
        ("https://exa mple.com", False),
        ("https:", False),
        ("", False),
    ],
)
def test_iri_examples(value: str, valid: bool) -> None:
    assert is_iri(value) is valid
