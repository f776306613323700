"""The grades API's JSON body (issue 12, item 8): deep nesting is refused before the
recursive parser sees it; strings holding brackets do not count as nesting."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from lti_tool.web.forms import JSON_DEPTH_MAX, JsonInvalid, json_body


def body(raw: str | bytes) -> object:
    app = Flask(__name__)
    with app.test_request_context(method="POST", data=raw, content_type="application/json"):
        return json_body()


def test_documents_read_normally() -> None:
    document = {"user_id": 1, "comment": '[[[{{{ " ]]] \\', "nested": [[{"a": []}]]}
    assert body(json.dumps(document)) == document
    assert body("") is None


@pytest.mark.parametrize(
    "raw",
    ["[" * 100_000 + "]" * 100_000, "[" * (JSON_DEPTH_MAX + 1), '{"a":' * 50_000, "{nope"],
)
def test_deep_or_broken_bodies_are_refused(raw: str) -> None:
    with pytest.raises(JsonInvalid):
        body(raw)


def test_the_limit_itself_is_accepted() -> None:
    assert body("[" * JSON_DEPTH_MAX + "]" * JSON_DEPTH_MAX) is not None
