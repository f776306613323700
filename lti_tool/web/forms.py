"""Reading form input at the web edge: one way for every page (marshmallow schemas).

Schemas check shape and size only; what the values mean (a reason from the list, a
decision staff may take, a grade in range) is decided by the domain rules the operation
calls next. Every form also carries the launch session (``ls``), which schemas ignore.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate
from werkzeug.routing import IntegerConverter, Map

from lti_tool.domain.activities import ActivityKind
from lti_tool.domain.errors import BadRequest, PeerlearnError
from lti_tool.domain.text import without_controls

# Row ids are 32-bit in both databases: a larger number names nothing (and must not reach
# PostgreSQL, which would refuse the comparison). Views answer 404 for one in a path.
ROW_ID_MAX = 2**31 - 1
# Deeper JSON than this is refused before it is parsed (Python's parser recurses).
JSON_DEPTH_MAX = 32
TEXT_LIMIT = 5000  # far above every domain limit: longer is refused before parsing


class FormInvalid(BadRequest):
    """A form whose fields do not have the shape the page asks for (422, nothing changed)."""

    code = "form_invalid"
    status = 422
    title = "That form was not filled in correctly"
    advice = "Nothing was changed. Go back, correct the form and send it again."


class Form(Schema):
    """Base of every form schema: unknown fields (the launch session) are ignored, and
    control characters other than line breaks and tabs (NUL, which PostgreSQL refuses in
    text, ESC, DEL ...) are dropped from every text value read, whatever the field."""

    class Meta:
        unknown = EXCLUDE

    @post_load
    def _without_controls(self, data: Any, **_kwargs: Any) -> Any:
        return _clean(data)


def _clean(value: Any) -> Any:
    if type(value) is str:  # not a str enum (a field's meaning, already checked)
        return without_controls(value)
    if isinstance(value, dict):
        return {_clean(key): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clean(item) for item in value)
    return value


def text(**options: Any) -> fields.String:
    """A free-text field no longer than :data:`TEXT_LIMIT` characters."""
    return fields.String(validate=validate.Length(max=TEXT_LIMIT), **options)


def row_id(**options: Any) -> fields.Integer:
    """A database row id: a positive 32-bit integer."""
    return fields.Integer(strict=False, validate=validate.Range(1, ROW_ID_MAX), **options)


def _up_to(limit: str) -> str:
    """A regular expression for the decimal numbers from 1 to ``limit`` (no leading 0)."""
    shorter = f"[1-9]\\d{{0,{len(limit) - 2}}}" if len(limit) > 1 else ""
    same_length = [
        limit[:i]
        + (f"[{'1' if i == 0 else '0'}-{int(limit[i]) - 1}]" + f"\\d{{{len(limit) - i - 1}}}")
        for i in range(len(limit))
        if int(limit[i]) > (1 if i == 0 else 0)
    ]
    return "|".join(filter(None, [shorter, *same_length, limit]))


class RowIdConverter(IntegerConverter):
    """``<int:name>`` and ``<rowid:name>`` in every URL rule of the app: a positive 32-bit
    id; anything else (0, 3000000000) matches no route, so it is a 404 like an unknown id.
    The range is in the regular expression itself: a number the route's pattern accepted
    but its converter refused would make werkzeug answer 405 where another method of the
    same path exists."""

    regex = f"(?:{_up_to(str(ROW_ID_MAX))})"

    def __init__(self, url_map: Map, *_args: Any, **_kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=ROW_ID_MAX)


class JsonInvalid(BadRequest):
    """A JSON body that is not JSON, or nested deeper than any of our documents (400)."""

    code = "json_invalid"
    title = "That request body is not valid JSON"
    advice = "Send one JSON object, as the API documents it."


def json_body() -> Any:
    """The request's JSON body (``None`` when empty), refused as :class:`JsonInvalid` if it
    is not JSON or nests deeper than :data:`JSON_DEPTH_MAX` (checked before parsing, so a
    body nested 100,000 deep never reaches the recursive parser)."""
    raw = request.get_data(cache=True, as_text=False)
    if not raw.strip():
        return None
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
            if deepest > JSON_DEPTH_MAX:
                raise JsonInvalid(f"The body nests deeper than {JSON_DEPTH_MAX} levels.")
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise JsonInvalid("The body is not valid JSON.") from None


def load(schema: Schema, data: Any = None) -> dict[str, Any]:
    """The request's form (or ``data``) through ``schema``, or :class:`FormInvalid`."""
    try:
        loaded: dict[str, Any] = schema.load(request.form if data is None else data)
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(map(str, messages))}"
            for name, messages in sorted(error.normalized_messages().items())
        )
        raise FormInvalid(f"Check these fields: {problems}.") from None
    return loaded


def load_or(schema: Schema, refusal: PeerlearnError, data: Any = None) -> dict[str, Any]:
    """Like :func:`load`, but a form that does not fit is refused with ``refusal`` (for
    forms whose mistakes have their own code and message)."""
    try:
        loaded: dict[str, Any] = schema.load(request.form if data is None else data)
    except ValidationError:
        raise refusal from None
    return loaded


def kind_values(kind: ActivityKind, data: Any = None) -> dict[str, str]:
    """The settings form of an activity kind: each of its fields as sent ("" if absent).
    What the values mean is checked by the kind itself (:meth:`ActivityKind.build`)."""
    names = [field.name for field in kind.form]
    # Attribute names of our own: a kind's field could be called like a Schema method.
    schema = Form.from_dict(
        {
            f"field_{i}": fields.String(data_key=name, load_default="")
            for i, name in enumerate(names)
        }
    )
    loaded = load(schema(), data)
    return {name: loaded[f"field_{i}"] for i, name in enumerate(names)}
