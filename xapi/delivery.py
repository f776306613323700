"""What to do with a batch of statements and one LRS, decided from its answers.

Pure of storage: it sends, reads the replies and returns an :class:`Outcome`. 200/204
deliver; 409 means an id exists, confirmed with ``GET ?statementId=`` (identical:
delivered, different: dead); 400 (and 422, which some LRSs send for a bad statement)
splits the batch until the bad statement is alone, and only it is dead; 413 splits too;
401, 403 and 404 (a wrong endpoint) pause the destination; 429, 5xx and network errors
retry later (honouring ``Retry-After``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from xapi.lrs import LrsReply

# Properties an LRS adds or may rewrite; they do not make two statements different.
_LRS_OWNED = {"stored", "authority", "version"}


class StatementStore(Protocol):
    def post(self, statements: list[dict[str, Any]]) -> LrsReply: ...

    def get(self, statement_id: str) -> tuple[LrsReply, dict[str, Any] | None]: ...


@dataclass
class Outcome:
    delivered: list[str] = field(default_factory=list)
    dead: dict[str, str] = field(default_factory=dict)
    retry: list[str] = field(default_factory=list)
    retry_after: float | None = None
    last_error: str = ""
    pause_reason: str | None = None
    too_large: bool = False

    def add(self, other: Outcome) -> None:
        self.delivered += other.delivered
        self.dead.update(other.dead)
        self.retry += other.retry
        self.last_error = other.last_error or self.last_error
        if other.retry_after is not None:
            self.retry_after = max(self.retry_after or 0.0, other.retry_after)
        self.pause_reason = self.pause_reason or other.pause_reason
        self.too_large = self.too_large or other.too_large


def equivalent(sent: dict[str, Any], stored: dict[str, Any]) -> bool:
    """True when the LRS holds the statement we sent (ignoring what the LRS owns)."""
    return _normal(sent) == _normal(stored)


def _normal(statement: dict[str, Any]) -> dict[str, Any]:
    normal = {key: value for key, value in statement.items() if key not in _LRS_OWNED}
    if isinstance(normal.get("timestamp"), str):
        normal["timestamp"] = datetime.fromisoformat(normal["timestamp"].replace("Z", "+00:00"))
    return normal


def deliver(lrs: StatementStore, batch: Sequence[dict[str, Any]]) -> Outcome:  # noqa: PLR0911 - one branch per LRS answer
    """Send ``batch`` (statements with ids) and account for every statement in it."""
    if not batch:
        return Outcome()
    reply = lrs.post(list(batch))
    ids = [statement["id"] for statement in batch]
    if reply.ok:
        return Outcome(delivered=ids)
    if reply.status in {401, 403, 404}:
        return Outcome(
            retry=ids,
            pause_reason=f"HTTP {reply.status}: {reply.text}",
            last_error=f"HTTP {reply.status}",
        )
    if reply.status in {400, 409, 413, 422} and len(batch) > 1:
        middle = len(batch) // 2
        outcome = deliver(lrs, batch[:middle])
        outcome.add(deliver(lrs, batch[middle:]))
        outcome.too_large = outcome.too_large or reply.status == 413
        return outcome
    if reply.status == 409:
        return _confirm(lrs, batch[0], reply)
    if reply.status in {400, 422}:
        return Outcome(dead={ids[0]: f"refused by the LRS (HTTP {reply.status}): {reply.text}"})
    if reply.status == 413:
        return Outcome(dead={ids[0]: "too large for the LRS (HTTP 413)"}, too_large=True)
    error = f"HTTP {reply.status}: {reply.text}" if reply.status else reply.text
    return Outcome(retry=ids, retry_after=reply.retry_after, last_error=error)


def _confirm(lrs: StatementStore, statement: dict[str, Any], conflict: LrsReply) -> Outcome:
    reply, stored = lrs.get(statement["id"])
    if stored is None:
        # The LRS said the id exists but will not show it: ask again later.
        return Outcome(
            retry=[statement["id"]],
            retry_after=reply.retry_after,
            last_error=f"HTTP 409 then GET HTTP {reply.status}: {conflict.text}",
        )
    if equivalent(statement, stored):
        return Outcome(delivered=[statement["id"]])
    return Outcome(dead={statement["id"]: "the LRS holds a different statement with this id"})
