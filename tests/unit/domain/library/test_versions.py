"""History tells which fields each version changed."""

from __future__ import annotations

from lti_tool.domain.library.versions import Snapshot, changed_fields, next_number


def test_changed_fields() -> None:
    first = Snapshot(1, {"title": "A", "body_markdown": "x", "topics": ["t"]})
    second = Snapshot(2, {"title": "B", "body_markdown": "x", "topics": ["t", "u"]})
    assert changed_fields(None, first) == ("created",)
    assert changed_fields(first, second) == ("title", "topics")
    assert changed_fields(second, second) == ()
    assert next_number(2) == 3
