"""The demo LMS's gradebook: Assignment and Grade Services line items, scores, results.

An in-memory stand-in for an LMS gradebook, enough for Peerlearn's AGS client to be
exercised over real HTTP: line item CRUD with paging, scores (kept only when newer than
the last, as the spec asks), and results.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

LINEITEM_FIELDS = {
    "scoreMaximum",
    "label",
    "resourceId",
    "tag",
    "resourceLinkId",
    "startDateTime",
    "endDateTime",
    "gradesReleased",
}


class GradebookError(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Gradebook:
    base_url: str  # .../ags/<context id>/lineitems
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, item_id: str) -> str:
        return f"{self.base_url}/{item_id}"

    def create(self, data: dict[str, Any]) -> dict[str, Any]:
        item = self._checked(data)
        with self._lock:
            item_id = str(next(self._ids))
            item["id"] = self.url(item_id)
            self.items[item_id] = item
            self.scores[item_id] = {}
        return dict(item)

    def find(
        self,
        *,
        resource_link_id: str | None = None,
        tag: str | None = None,
        resource_id: str | None = None,
    ) -> list[dict[str, Any]]:
        found = [
            dict(item)
            for item in self.items.values()
            if (resource_link_id is None or item.get("resourceLinkId") == resource_link_id)
            and (tag is None or item.get("tag") == tag)
            and (resource_id is None or item.get("resourceId") == resource_id)
        ]
        return sorted(found, key=lambda item: int(item["id"].rsplit("/", 1)[1]))

    def get(self, item_id: str) -> dict[str, Any]:
        if item_id not in self.items:
            raise GradebookError(404, "no such line item")
        return dict(self.items[item_id])

    def update(self, item_id: str, data: dict[str, Any]) -> dict[str, Any]:
        self.get(item_id)
        item = self._checked(data)
        item["id"] = self.url(item_id)
        self.items[item_id] = item
        return dict(item)

    def delete(self, item_id: str) -> None:
        self.get(item_id)
        del self.items[item_id]
        del self.scores[item_id]

    def add_score(self, item_id: str, score: dict[str, Any]) -> None:
        self.get(item_id)
        for required in ("userId", "activityProgress", "gradingProgress", "timestamp"):
            if required not in score:
                raise GradebookError(400, f"score needs {required}")
        user = str(score["userId"])
        with self._lock:
            last = self.scores[item_id].get(user)
            if last is not None and _when(last["timestamp"]) >= _when(score["timestamp"]):
                return  # an older (or the same) score never overwrites a newer one
            self.scores[item_id][user] = dict(score)

    def results(self, item_id: str, user_id: str | None = None) -> list[dict[str, Any]]:
        self.get(item_id)
        maximum = self.items[item_id]["scoreMaximum"]
        return [
            {
                "id": f"{self.url(item_id)}/results/{user}",
                "scoreOf": self.url(item_id),
                "userId": user,
                "resultScore": score.get("scoreGiven"),
                "resultMaximum": score.get("scoreMaximum", maximum),
                "comment": score.get("comment"),
            }
            for user, score in sorted(self.scores[item_id].items())
            if user_id is None or user == user_id
        ]

    @staticmethod
    def _checked(data: dict[str, Any]) -> dict[str, Any]:
        maximum = data.get("scoreMaximum")
        if isinstance(maximum, bool) or not isinstance(maximum, int | float) or maximum <= 0:
            raise GradebookError(400, "scoreMaximum must be a positive number")
        if not isinstance(data.get("label"), str) or not data["label"].strip():
            raise GradebookError(400, "label is required")
        return {key: value for key, value in data.items() if key in LINEITEM_FIELDS}


def _when(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
