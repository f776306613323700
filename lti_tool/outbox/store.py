"""The durable outbox: messages written in the transaction of the change behind them,
then delivered at least once by a worker, with attempts, backoff and dead letters.

General by design: ``topic`` says what a message is (xAPI statements now, grade
passback later) and ``destination`` where it goes, as its deliverer names it. Several
workers share the work safely: a claim is one ``UPDATE ... RETURNING`` over rows picked
``FOR UPDATE SKIP LOCKED`` (PostgreSQL) and leased, so a worker killed mid-batch only
delays its rows until the lease ends.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    true,
    update,
)

from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.models import OutboxMessage

OUTBOX = cast(Table, OutboxMessage.__table__)
HELD = "held"  # the destination of messages nobody is configured to receive yet


class State(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    payload: str
    attempts: int


def enqueue(
    connection: Connection,
    *,
    topic: str,
    destinations: Sequence[str],
    key: str,
    payload: str,
    now: float,
) -> None:
    """Add one message per destination (or one held message), in the caller's transaction.

    Enqueueing the same (topic, destination, key) twice keeps the first: an event recorded
    twice is one message.
    """
    rows = [
        {
            "topic": topic,
            "destination": destination,
            "message_key": key,
            "payload": payload,
            "state": State.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for destination in (destinations or [HELD])
    ]
    connection.execute(dialect_insert(connection)(OUTBOX).on_conflict_do_nothing(), rows)


_DUE = and_(
    OUTBOX.c.topic == bindparam("b_topic"),
    OUTBOX.c.destination == bindparam("b_destination"),
    OUTBOX.c.state == State.PENDING.value,
    OUTBOX.c.next_attempt_at <= bindparam("b_now"),
    or_(OUTBOX.c.lease_until.is_(None), OUTBOX.c.lease_until <= bindparam("b_now")),
)
_CLAIM = (
    update(OUTBOX)
    .where(
        OUTBOX.c.id.in_(
            select(OUTBOX.c.id)
            .where(_DUE)
            .order_by(OUTBOX.c.id)
            .limit(bindparam("b_limit"))
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers anyway
        )
    )
    .values(lease_until=bindparam("b_lease_until"), attempts=OUTBOX.c.attempts + 1)
    .returning(OUTBOX.c.id, OUTBOX.c.message_key, OUTBOX.c.payload, OUTBOX.c.attempts)
)


def claim(
    connection: Connection,
    *,
    topic: str,
    destination: str,
    limit: int,
    lease_seconds: float,
    now: float,
) -> list[Claimed]:
    """Lease up to ``limit`` due messages, oldest first (commit right after)."""
    rows = connection.execute(
        _CLAIM,
        {
            "b_topic": topic,
            "b_destination": destination,
            "b_now": now,
            "b_limit": limit,
            "b_lease_until": now + lease_seconds,
        },
    ).all()
    return sorted(
        (Claimed(row.id, row.message_key, row.payload, row.attempts) for row in rows),
        key=lambda item: item.id,
    )


def mark_delivered(connection: Connection, ids: Sequence[int], now: float) -> None:
    if ids:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids))
            .values(
                state=State.DELIVERED.value, delivered_at=now, lease_until=None, last_error=None
            )
        )


def mark_dead(connection: Connection, message_id: int, reason: str) -> None:
    connection.execute(
        update(OUTBOX)
        .where(OUTBOX.c.id == message_id)
        .values(state=State.DEAD.value, lease_until=None, last_error=reason[:4000])
    )


def retry_at(connection: Connection, ids: Sequence[int], at: float, reason: str) -> None:
    if ids:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids))
            .values(next_attempt_at=at, lease_until=None, last_error=reason[:4000])
        )


def release(connection: Connection, ids: Sequence[int]) -> None:
    """Give claimed messages back untouched (their destination cannot take them now)."""
    if ids:
        connection.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(ids))
            .values(lease_until=None, attempts=OUTBOX.c.attempts - 1)
        )


def route_held(connection: Connection, *, topic: str, destinations: Sequence[str]) -> int:
    """Give every message kept for lack of a destination to each of ``destinations``."""
    if not destinations:
        return 0
    held = (
        select(OUTBOX.c.message_key, OUTBOX.c.payload, OUTBOX.c.created_at)
        .where(OUTBOX.c.topic == topic, OUTBOX.c.destination == HELD)
        .subquery("held")
    )
    for destination in destinations:
        copies = select(
            literal(topic),
            literal(destination),
            held.c.message_key,
            held.c.payload,
            literal(State.PENDING.value),
            literal(0),
            held.c.created_at,
            held.c.created_at,
        ).where(true())  # SQLite needs a WHERE before ON CONFLICT in INSERT ... SELECT
        connection.execute(
            dialect_insert(connection)(OUTBOX)
            .from_select(
                [
                    "topic",
                    "destination",
                    "message_key",
                    "payload",
                    "state",
                    "attempts",
                    "next_attempt_at",
                    "created_at",
                ],
                copies,
            )
            .on_conflict_do_nothing()
        )
    result = connection.execute(
        delete(OUTBOX)
        .where(OUTBOX.c.topic == topic, OUTBOX.c.destination == HELD)
        .returning(OUTBOX.c.id)
    )
    return len(result.all())


def retry_dead(
    connection: Connection, *, topic: str, destination: str | None = None, now: float
) -> int:
    query = update(OUTBOX).where(OUTBOX.c.topic == topic, OUTBOX.c.state == State.DEAD.value)
    if destination is not None:
        query = query.where(OUTBOX.c.destination == destination)
    result = connection.execute(
        query.values(state=State.PENDING.value, next_attempt_at=now, attempts=0).returning(
            OUTBOX.c.id
        )
    )
    return len(result.all())


@dataclass(frozen=True)
class DestinationStatus:
    destination: str
    pending: int
    delivered: int
    dead: int
    oldest_pending_at: float | None
    dead_reasons: dict[str, int]


def status(connection: Connection, *, topic: str) -> list[DestinationStatus]:
    counts: dict[str, dict[str, Any]] = {}
    rows = connection.execute(
        select(OUTBOX.c.destination, OUTBOX.c.state, func.count(), func.min(OUTBOX.c.created_at))
        .where(OUTBOX.c.topic == topic)
        .group_by(OUTBOX.c.destination, OUTBOX.c.state)
    )
    for destination, state, count, oldest in rows:
        entry = counts.setdefault(
            destination, {"pending": 0, "delivered": 0, "dead": 0, "oldest": None, "reasons": {}}
        )
        entry[state] = count
        if state == State.PENDING.value:
            entry["oldest"] = oldest
    reasons = connection.execute(
        select(OUTBOX.c.destination, OUTBOX.c.last_error, func.count())
        .where(OUTBOX.c.topic == topic, OUTBOX.c.state == State.DEAD.value)
        .group_by(OUTBOX.c.destination, OUTBOX.c.last_error)
    )
    for destination, reason, count in reasons:
        counts[destination]["reasons"][(reason or "unknown")[:200]] = count
    return [
        DestinationStatus(
            name,
            entry["pending"],
            entry["delivered"],
            entry["dead"],
            entry["oldest"],
            entry["reasons"],
        )
        for name, entry in sorted(counts.items())
    ]


def payloads(connection: Connection, *, topic: str, batch: int = 1000) -> Iterator[str]:
    """Every message's payload once (the first copy of each key), in order, streamed."""
    last_id = 0
    seen: set[str] = set()
    while True:
        rows = connection.execute(
            select(OUTBOX.c.id, OUTBOX.c.message_key, OUTBOX.c.payload)
            .where(OUTBOX.c.topic == topic, OUTBOX.c.id > last_id)
            .order_by(OUTBOX.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            if row.message_key not in seen:
                seen.add(row.message_key)
                yield row.payload
        last_id = rows[-1].id
