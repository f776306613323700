"""Reading form input at the web edge: one way for every page (marshmallow schemas).

Schemas check shape and size only; what the values mean (a reason from the list, a
decision staff may take, a grade in range) is decided by the domain rules the operation
calls next. Every form also carries the launch session (``ls``), which schemas ignore.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from lti_tool.domain.activities import ActivityKind
from lti_tool.domain.errors import BadRequest, PeerlearnError

# Row ids are 32-bit in both databases: a larger number names nothing (and must not reach
# PostgreSQL, which would refuse the comparison). Views answer 404 for one in a path.
ROW_ID_MAX = 2**31 - 1
TEXT_LIMIT = 5000  # far above every domain limit: longer is refused before parsing


class FormInvalid(BadRequest):
    """A form whose fields do not have the shape the page asks for (422, nothing changed)."""

    code = "form_invalid"
    status = 422
    title = "That form was not filled in correctly"
    advice = "Nothing was changed. Go back, correct the form and send it again."


class Form(Schema):
    """Base of every form schema: unknown fields (the launch session) are ignored."""

    class Meta:
        unknown = EXCLUDE


def text(**options: Any) -> fields.String:
    """A free-text field no longer than :data:`TEXT_LIMIT` characters."""
    return fields.String(validate=validate.Length(max=TEXT_LIMIT), **options)


def row_id(**options: Any) -> fields.Integer:
    """A database row id: a positive 32-bit integer."""
    return fields.Integer(strict=False, validate=validate.Range(1, ROW_ID_MAX), **options)


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
