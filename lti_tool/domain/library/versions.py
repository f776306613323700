"""Versions of an item: what changed between two saves, for the history page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FIELD_LABELS = {
    "title": "title",
    "summary": "summary",
    "body_markdown": "text",
    "link_url": "link",
    "link_title": "link title",
    "link_description": "link description",
    "video": "video",
    "topics": "topics",
}


@dataclass(frozen=True)
class Snapshot:
    """One saved state of an item, as history compares it."""

    number: int
    fields: Mapping[str, object]


def changed_fields(before: Snapshot | None, after: Snapshot) -> tuple[str, ...]:
    """Labels of the fields ``after`` changed from ``before`` (all, for a first version)."""
    if before is None:
        return ("created",)
    return tuple(
        label
        for name, label in FIELD_LABELS.items()
        if before.fields.get(name) != after.fields.get(name)
    )


def next_number(current: int) -> int:
    """Restoring is saving: the restored text becomes the next version, history stays."""
    return current + 1
