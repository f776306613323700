"""Strict validation of statements against the xAPI 1.0.3 data rules.

A statement that fails is a bug in Peerlearn: it is refused before it reaches the
outbox. Only the parts of xAPI a tool sends are accepted; ``stored``, ``authority`` and
``version`` belong to the LRS, and unknown properties are refused at every level.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

Errors = list[str]

# RFC 5646 language tags (the common subset: language, script, region, variants).
_LANGUAGE_TAG = re.compile(
    r"^(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
    r"(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
    r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*(?:-x(?:-[A-Za-z0-9]{1,8})+)?$"
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
_DURATION = re.compile(
    r"^P(?!$)(?:\d+(?:\.\d+)?Y)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?W)?(?:\d+(?:\.\d+)?D)?"
    r"(?:T(?=\d)(?:\d+(?:\.\d+)?H)?(?:\d+(?:\.\d+)?M)?(?:\d+(?:\.\d+)?S)?)?$"
)
_MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_SHA1 = re.compile(r"^[0-9a-f]{40}$")
FUTURE_TOLERANCE = timedelta(seconds=5)


class InvalidStatement(ValueError):
    """A statement breaks the xAPI data rules; ``errors`` lists every breach by path."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def validate_statement(statement: Any, *, now: datetime | None = None) -> None:
    """Raise :class:`InvalidStatement` listing every rule ``statement`` breaks."""
    errors: Errors = []
    _statement(statement, "statement", errors, now or datetime.now(UTC), substatement=False)
    if errors:
        raise InvalidStatement(errors)


def is_iri(value: Any) -> bool:
    """An absolute IRI: a scheme, then no whitespace or characters IRIs forbid."""
    return (
        isinstance(value, str)
        and bool(_SCHEME.match(value))
        and not any(c.isspace() or c in '<>"{}|\\^`' for c in value)
        and len(value.split(":", 1)[1]) > 0
    )


def is_language_tag(value: Any) -> bool:
    return isinstance(value, str) and bool(_LANGUAGE_TAG.match(value))


def is_uuid(value: Any) -> bool:
    if not isinstance(value, str) or len(value) != 36:
        return False
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return False
    return parsed.variant == uuid.RFC_4122 and str(parsed) == value.lower()


def _object(
    value: Any, path: str, errors: Errors, allowed: set[str], required: Collection[str] = ()
) -> bool:
    if not isinstance(value, Mapping):
        errors.append(f"{path}: must be an object")
        return False
    for key in value:
        if key not in allowed:
            errors.append(f"{path}.{key}: unknown property")
    for key in required:
        if key not in value:
            errors.append(f"{path}.{key}: required")
    return True


def _iri(value: Any, path: str, errors: Errors) -> None:
    if not is_iri(value):
        errors.append(f"{path}: must be an absolute IRI, not {value!r}")


def _language_map(value: Any, path: str, errors: Errors) -> None:
    if not isinstance(value, Mapping) or not value:
        errors.append(f"{path}: must be a non-empty language map")
        return
    for tag, text in value.items():
        if not is_language_tag(tag):
            errors.append(f"{path}: {tag!r} is not a language tag (RFC 5646)")
        if not isinstance(text, str):
            errors.append(f"{path}.{tag}: must be a string")


def _extensions(value: Any, path: str, errors: Errors) -> None:
    if not isinstance(value, Mapping):
        errors.append(f"{path}: must be an object")
        return
    for key in value:
        _iri(key, f"{path}[{key!r}]", errors)


def _actor(value: Any, path: str, errors: Errors) -> None:
    if not isinstance(value, Mapping):
        errors.append(f"{path}: must be an object")
        return
    if value.get("objectType") == "Group":
        _group(value, path, errors)
    else:
        _agent(value, path, errors)


def _agent(value: Any, path: str, errors: Errors) -> None:
    if not _object(
        value, path, errors, {"objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"}
    ):
        return
    if value.get("objectType", "Agent") != "Agent":
        errors.append(f"{path}.objectType: must be 'Agent'")
    _identifier(value, path, errors, required=True)
    if "name" in value and not isinstance(value["name"], str):
        errors.append(f"{path}.name: must be a string")


def _group(value: Any, path: str, errors: Errors) -> None:
    if not _object(
        value,
        path,
        errors,
        {"objectType", "name", "member", "mbox", "mbox_sha1sum", "openid", "account"},
    ):
        return
    identified = _identifier(value, path, errors, required=False)
    members = value.get("member")
    if members is not None:
        if not isinstance(members, list):
            errors.append(f"{path}.member: must be a list")
        else:
            for index, member in enumerate(members):
                _agent(member, f"{path}.member[{index}]", errors)
    if not identified and not members:
        errors.append(f"{path}: an anonymous group needs members")


def _identifier(value: Mapping[str, Any], path: str, errors: Errors, *, required: bool) -> bool:
    present = [key for key in ("mbox", "mbox_sha1sum", "openid", "account") if key in value]
    if len(present) > 1:
        errors.append(f"{path}: exactly one identifier allowed, found {', '.join(present)}")
    if not present:
        if required:
            errors.append(f"{path}: needs one of mbox, mbox_sha1sum, openid, account")
        return False
    key = present[0]
    item = value[key]
    if key == "mbox" and not (isinstance(item, str) and _MAILTO.match(item)):
        errors.append(f"{path}.mbox: must be a mailto: IRI")
    elif key == "mbox_sha1sum" and not (isinstance(item, str) and _SHA1.match(item)):
        errors.append(f"{path}.mbox_sha1sum: must be 40 lower-case hex digits")
    elif key == "openid":
        _iri(item, f"{path}.openid", errors)
    elif key == "account" and _object(
        item, f"{path}.account", errors, {"homePage", "name"}, {"homePage", "name"}
    ):
        _iri(item.get("homePage"), f"{path}.account.homePage", errors)
        if not isinstance(item.get("name"), str) or not item.get("name"):
            errors.append(f"{path}.account.name: must be a non-empty string")
    return True


def _verb(value: Any, path: str, errors: Errors) -> None:
    if _object(value, path, errors, {"id", "display"}, {"id"}):
        _iri(value.get("id"), f"{path}.id", errors)
        if "display" in value:
            _language_map(value["display"], f"{path}.display", errors)


def _activity(value: Any, path: str, errors: Errors) -> None:
    if not _object(value, path, errors, {"objectType", "id", "definition"}, {"id"}):
        return
    if value.get("objectType", "Activity") != "Activity":
        errors.append(f"{path}.objectType: must be 'Activity'")
    _iri(value.get("id"), f"{path}.id", errors)
    definition = value.get("definition")
    if definition is None:
        return
    allowed = {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    }
    if not _object(definition, f"{path}.definition", errors, allowed):
        return
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key], f"{path}.definition.{key}", errors)
    for key in ("type", "moreInfo"):
        if key in definition:
            _iri(definition[key], f"{path}.definition.{key}", errors)
    if "extensions" in definition:
        _extensions(definition["extensions"], f"{path}.definition.extensions", errors)


def _statement_ref(value: Any, path: str, errors: Errors) -> None:
    if _object(value, path, errors, {"objectType", "id"}, {"objectType", "id"}):
        if value.get("objectType") != "StatementRef":
            errors.append(f"{path}.objectType: must be 'StatementRef'")
        if not is_uuid(value.get("id")):
            errors.append(f"{path}.id: must be a UUID")


def _statement_object(
    value: Any, path: str, errors: Errors, now: datetime, *, substatement: bool
) -> None:
    if not isinstance(value, Mapping):
        errors.append(f"{path}: must be an object")
        return
    kind = value.get("objectType", "Activity")
    if kind == "Activity":
        _activity(value, path, errors)
    elif kind == "Agent":
        _agent(value, path, errors)
    elif kind == "Group":
        _group(value, path, errors)
    elif kind == "StatementRef":
        _statement_ref(value, path, errors)
    elif kind == "SubStatement" and not substatement:
        _statement(value, path, errors, now, substatement=True)
    else:
        errors.append(f"{path}.objectType: {kind!r} is not allowed here")


def _score(value: Any, path: str, errors: Errors) -> None:
    if not _object(value, path, errors, {"scaled", "raw", "min", "max"}):
        return
    numbers = {}
    for key in ("scaled", "raw", "min", "max"):
        if key in value:
            number = value[key]
            if isinstance(number, bool) or not isinstance(number, int | float):
                errors.append(f"{path}.{key}: must be a number")
            else:
                numbers[key] = number
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        errors.append(f"{path}.scaled: must be between -1 and 1")
    if "min" in numbers and "max" in numbers and not numbers["min"] < numbers["max"]:
        errors.append(f"{path}: min must be less than max")
    if "raw" in numbers:
        if "min" in numbers and numbers["raw"] < numbers["min"]:
            errors.append(f"{path}.raw: must not be below min")
        if "max" in numbers and numbers["raw"] > numbers["max"]:
            errors.append(f"{path}.raw: must not be above max")


def _result(value: Any, path: str, errors: Errors) -> None:
    if not _object(
        value,
        path,
        errors,
        {"score", "success", "completion", "response", "duration", "extensions"},
    ):
        return
    if "score" in value:
        _score(value["score"], f"{path}.score", errors)
    for key in ("success", "completion"):
        if key in value and not isinstance(value[key], bool):
            errors.append(f"{path}.{key}: must be true or false")
    if "response" in value and not isinstance(value["response"], str):
        errors.append(f"{path}.response: must be a string")
    if "duration" in value and not (
        isinstance(value["duration"], str) and _DURATION.match(value["duration"])
    ):
        errors.append(f"{path}.duration: must be an ISO 8601 duration")
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions", errors)


def _context(value: Any, path: str, errors: Errors, object_kind: str) -> None:
    allowed = {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
    if not _object(value, path, errors, allowed):
        return
    if "registration" in value and not is_uuid(value["registration"]):
        errors.append(f"{path}.registration: must be a UUID")
    if "instructor" in value:
        _actor(value["instructor"], f"{path}.instructor", errors)
    if "team" in value:
        _group(value["team"], f"{path}.team", errors)
    if "contextActivities" in value:
        _context_activities(value["contextActivities"], f"{path}.contextActivities", errors)
    for key in ("revision", "platform"):
        if key in value:
            if not isinstance(value[key], str):
                errors.append(f"{path}.{key}: must be a string")
            if object_kind != "Activity":
                errors.append(f"{path}.{key}: only allowed when the object is an Activity")
    if "language" in value and not is_language_tag(value["language"]):
        errors.append(f"{path}.language: must be a language tag (RFC 5646)")
    if "statement" in value:
        _statement_ref(value["statement"], f"{path}.statement", errors)
    if "extensions" in value:
        _extensions(value["extensions"], f"{path}.extensions", errors)


def _context_activities(value: Any, path: str, errors: Errors) -> None:
    if _object(value, path, errors, {"parent", "grouping", "category", "other"}):
        for kind, items in value.items():
            for index, item in enumerate(items if isinstance(items, list) else [items]):
                _activity(item, f"{path}.{kind}[{index}]", errors)


def _timestamp(value: Any, path: str, errors: Errors, now: datetime) -> None:
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        errors.append(f"{path}: must be an ISO 8601 timestamp with a time zone")
        return
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors.append(f"{path}: {value!r} is not a valid date and time")
        return
    if moment > now + FUTURE_TOLERANCE:
        errors.append(f"{path}: must not be in the future")


_TOP = {"id", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
_SUB = {"objectType", "actor", "verb", "object", "result", "context", "timestamp"}


def _statement(value: Any, path: str, errors: Errors, now: datetime, *, substatement: bool) -> None:
    allowed = _SUB if substatement else _TOP
    if not _object(value, path, errors, allowed, {"actor", "verb", "object"}):
        return
    if not substatement and "id" in value and not is_uuid(value["id"]):
        errors.append(f"{path}.id: must be a UUID")
    checks: list[tuple[str, Callable[[Any, str, Errors], None]]] = [
        ("actor", _actor),
        ("verb", _verb),
        ("result", _result),
    ]
    for key, check in checks:
        if key in value:
            check(value[key], f"{path}.{key}", errors)
    if "object" in value:
        _statement_object(value["object"], f"{path}.object", errors, now, substatement=substatement)
    if "context" in value:
        kind = (
            value["object"].get("objectType", "Activity")
            if isinstance(value.get("object"), Mapping)
            else "Activity"
        )
        _context(value["context"], f"{path}.context", errors, kind)
    if "timestamp" in value:
        _timestamp(value["timestamp"], f"{path}.timestamp", errors, now)
    if "attachments" in value:
        errors.append(f"{path}.attachments: Peerlearn sends no attachments")
