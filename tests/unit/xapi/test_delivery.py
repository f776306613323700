"""Delivery decisions against a scripted LRS: every statement accounted for."""

from __future__ import annotations

import uuid
from typing import Any

from xapi.delivery import deliver, equivalent
from xapi.lrs import LrsReply


def statement(number: int) -> dict[str, Any]:
    return {
        "id": str(uuid.UUID(int=number)),
        "actor": {"account": {"homePage": "https://lms.example", "name": str(number)}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
        "object": {"id": f"https://tool.example/{number}"},
        "timestamp": "2026-11-29T10:00:00.000Z",
    }


class ScriptedLrs:
    """Refuses statements whose id is in ``bad`` (400), knows ``stored`` ones (409)."""

    def __init__(
        self,
        *,
        status: int | None = None,
        bad: set[str] = frozenset(),
        stored: dict[str, dict[str, Any]] | None = None,
        limit: int = 10_000,
    ) -> None:
        self.status = status
        self.bad = bad
        self.stored = stored or {}
        self.limit = limit
        self.posts: list[int] = []

    def post(self, statements: list[dict[str, Any]]) -> LrsReply:
        self.posts.append(len(statements))
        if self.status is not None:
            return LrsReply(self.status, "scripted", retry_after=7.0)
        if len(statements) > self.limit:
            return LrsReply(413, "too big")
        if any(s["id"] in self.bad for s in statements):
            return LrsReply(400, "bad statement")
        if any(s["id"] in self.stored for s in statements):
            return LrsReply(409, "exists")
        return LrsReply(200, "[]")

    def get(self, statement_id: str) -> tuple[LrsReply, dict[str, Any] | None]:
        found = self.stored.get(statement_id)
        return LrsReply(200 if found else 404), found


def test_success_delivers_all_in_one_request() -> None:
    lrs = ScriptedLrs()
    outcome = deliver(lrs, [statement(n) for n in range(100)])
    assert len(outcome.delivered) == 100
    assert lrs.posts == [100]


def test_one_bad_statement_is_isolated_and_only_it_dies() -> None:
    batch = [statement(n) for n in range(100)]
    lrs = ScriptedLrs(bad={batch[37]["id"]})
    outcome = deliver(lrs, batch)
    assert list(outcome.dead) == [batch[37]["id"]]
    assert "bad statement" in outcome.dead[batch[37]["id"]]
    assert sorted(outcome.delivered) == sorted(s["id"] for s in batch if s is not batch[37])
    assert len(lrs.posts) <= 2 * 7 + 1  # a binary search, not one request per statement


def test_conflict_identical_is_delivered_different_is_dead() -> None:
    same, different = statement(1), statement(2)
    stored = {
        same["id"]: {
            **same,
            "stored": "2026-11-29T10:00:01Z",
            "version": "1.0.0",
            "timestamp": "2026-11-29T10:00:00+00:00",
        },
        different["id"]: {**different, "object": {"id": "https://elsewhere.example"}},
    }
    outcome = deliver(ScriptedLrs(stored=stored), [same, different, statement(3)])
    assert sorted(outcome.delivered) == sorted([same["id"], statement(3)["id"]])
    assert list(outcome.dead) == [different["id"]]


def test_too_large_splits_and_asks_for_smaller_batches() -> None:
    lrs = ScriptedLrs(limit=30)
    outcome = deliver(lrs, [statement(n) for n in range(100)])
    assert len(outcome.delivered) == 100
    assert outcome.too_large


def test_unauthorised_pauses_and_keeps_everything() -> None:
    outcome = deliver(ScriptedLrs(status=401), [statement(n) for n in range(5)])
    assert outcome.pause_reason is not None
    assert len(outcome.retry) == 5
    assert not outcome.delivered
    assert not outcome.dead


def test_server_errors_retry_later_honouring_retry_after() -> None:
    for status in (429, 500, 503, 0):
        outcome = deliver(ScriptedLrs(status=status), [statement(1), statement(2)])
        assert len(outcome.retry) == 2
        assert outcome.retry_after == 7.0
        assert not outcome.dead


def test_equivalence_ignores_what_the_lrs_owns() -> None:
    sent = statement(5)
    assert equivalent(sent, {**sent, "stored": "x", "authority": {}, "version": "1.0.3"})
    assert equivalent(sent, {**sent, "timestamp": "2026-11-29T10:00:00+00:00"})
    assert not equivalent(sent, {**sent, "verb": {"id": "http://other.example/verb"}})
