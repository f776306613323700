"""The forms of the library's moderation and sharing pages, parsed at the web edge.

Schemas check shape and size only; what the values mean (a reason from the list, a
decision staff may take) is decided by the domain rules the views call next. Every form
also carries the launch session (``ls``), which the schemas ignore.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from lti_tool.domain.errors import BadRequest

# Row ids are 32-bit in both databases: a larger number names nothing (and must not reach
# PostgreSQL, which would refuse the comparison). Views answer 404 for one in a path.
ROW_ID_MAX = 2**31 - 1
TEXT_LIMIT = 5000  # far above every domain limit: longer is refused before parsing


class FormInvalid(BadRequest):
    code = "form_invalid"
    status = 422
    title = "That form was not filled in correctly"
    advice = "Nothing was changed. Go back, correct the form and send it again."


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE  # the launch session field travels with every form


def _text(**options: Any) -> fields.String:
    return fields.String(validate=validate.Length(max=TEXT_LIMIT), **options)


class FlagForm(_Form):
    reason = _text(load_default="")
    details = _text(load_default="")


class DecisionForm(_Form):
    decision = _text(load_default="")
    note = _text(load_default="")
    back = _text(load_default="")


class PolicyForm(_Form):
    policy = _text(load_default="")


class ShareForm(_Form):
    course = fields.Integer(required=True, strict=False, validate=validate.Range(1, ROW_ID_MAX))


def load(schema: Schema) -> dict[str, Any]:
    """The request's form through ``schema``, or a 422 page naming what is wrong."""
    try:
        loaded: dict[str, Any] = schema.load(request.form)
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(map(str, messages))}"
            for name, messages in sorted(error.normalized_messages().items())
        )
        raise FormInvalid(f"Check these fields: {problems}.") from None
    return loaded
