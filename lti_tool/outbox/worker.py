"""The one claim/handle/retry loop every outbox worker runs.

A worker names a destination and hands over a *handler*; :class:`OutboxLoop` claims due
messages for that destination in batches (leased, ``SKIP LOCKED`` on PostgreSQL, see
:mod:`lti_tool.outbox.store`), gives each batch to the handler and records what the
handler settles, each :class:`Settlement` in its own transaction as soon as it is known.
A settlement that says ``stop`` ends the destination's round: the destination is
struggling, so its other messages wait for the next round.

Two handler shapes cover every worker:

- ``one_at_a_time(handle)``: messages go one by one, in order (grade passback, roster
  syncs). A :class:`Retry` for one message delays it *and every later one claimed with
  it*, so nothing overtakes an earlier message to the same destination.
- a batch handler (xAPI delivery): it sends the whole batch and settles it at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from lti_tool.outbox import store
from lti_tool.outbox.store import Claimed


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter, so many workers do not return all at once."""

    base: float = 2.0
    ceiling: float = 3600.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after ``attempts`` tries (at least ``retry_after``)."""
        ceiling = min(self.ceiling, self.base * 2 ** min(attempts, 30))
        delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not secrets
        return max(delay, retry_after or 0.0)


@dataclass(frozen=True)
class Retry:
    """Messages the destination cannot take now: they wait out a backoff together."""

    messages: Sequence[Claimed]
    reason: str
    attempts: int  # the backoff grows with these
    after: float | None = None  # the destination's own Retry-After, when it sent one


@dataclass(frozen=True)
class Settlement:
    """What became of (part of) a claimed batch; recorded in one transaction."""

    delivered: Sequence[int] = ()
    dead: Mapping[int, str] = field(default_factory=dict)
    retry: Retry | None = None
    released: Sequence[int] = ()  # given back untouched (not an attempt)
    also: Callable[[Connection], None] | None = None  # more to write in the same transaction
    stop: bool = False  # the destination is struggling: end its round here


# Message-at-a-time handlers answer with one of these.
@dataclass(frozen=True)
class Done:
    """The message did what it was for (or there was nothing left to do)."""


@dataclass(frozen=True)
class Dead:
    """The destination refused the message for good."""

    reason: str


@dataclass(frozen=True)
class Later:
    """The destination is unavailable: try this message (and the ones after it) later."""

    reason: str


Verdict = Done | Dead | Later
BatchHandler = Callable[[list[Claimed]], Iterable[Settlement]]


def one_at_a_time(handle: Callable[[Claimed], Verdict]) -> BatchHandler:
    """A batch handler that handles messages in order, settling each as it goes."""

    def settle(batch: list[Claimed]) -> Iterator[Settlement]:
        for position, message in enumerate(batch):
            verdict = handle(message)
            if isinstance(verdict, Dead):
                yield Settlement(dead={message.id: verdict.reason})
            elif isinstance(verdict, Later):
                # Keep the order: this message and every later one wait together.
                later = batch[position:]
                yield Settlement(retry=Retry(later, verdict.reason, message.attempts), stop=True)
                return
            else:
                yield Settlement(delivered=[message.id])

    return settle


@dataclass
class OutboxLoop:
    """Claims, hands over and settles one topic's messages, destination by destination."""

    engine: Engine
    topic: str
    log: logging.Logger
    retry_message: str  # logged (with the delay and the error) when messages wait
    batch: int = 50
    lease_seconds: float = 120.0
    backoff: Backoff = field(default_factory=Backoff)
    clock: Callable[[], float] = time.time

    def drain(
        self, destination: str, handle: BatchHandler, *, limit: Callable[[], int] | None = None
    ) -> int:
        """Run ``destination``'s due messages until none is left or the handler stops;
        returns messages delivered. ``limit`` (read before each claim) overrides the batch."""
        delivered = 0
        while True:
            with self.engine.begin() as connection:
                claimed = store.claim(
                    connection,
                    topic=self.topic,
                    destination=destination,
                    limit=self.batch if limit is None else limit(),
                    lease_seconds=self.lease_seconds,
                    now=self.clock(),
                )
            if not claimed:
                return delivered
            for settlement in handle(claimed):
                self.settle(destination, settlement)
                delivered += len(settlement.delivered)
                if settlement.stop:
                    return delivered

    def settle(self, destination: str, settlement: Settlement) -> None:
        """Record ``settlement`` in one transaction."""
        now = self.clock()
        delay = None
        with self.engine.begin() as connection:
            store.mark_delivered(connection, settlement.delivered, now)
            for message_id, reason in settlement.dead.items():
                store.mark_dead(connection, message_id, reason)
            if settlement.also is not None:
                settlement.also(connection)
            store.release(connection, settlement.released)
            retry = settlement.retry
            if retry is not None and retry.messages:
                delay = self.backoff.delay(retry.attempts, retry.after)
                ids = [message.id for message in retry.messages]
                store.retry_at(connection, ids, now + delay, retry.reason)
        if delay is not None and retry is not None:
            self.log.warning(
                self.retry_message,
                extra={
                    "destination": destination,
                    "delay": round(delay, 1),
                    "error": retry.reason[:300],
                },
            )
