"""The delivery worker: claims due statements per LRS, delivers them, records outcomes.

``peerlearn xapi deliver`` runs it (``--once`` drains and exits); an install on one
machine may run it in-process instead. Each LRS keeps its own state: a paused or failing
one never holds up another.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from lti_tool.learning_records.records import (
    TOPIC,
    Destination,
    all_destinations,
    destination_name,
    pause,
    route_held,
)
from lti_tool.outbox import store as outbox
from lti_tool.outbox.runner import run_until_stopped
from xapi.delivery import Outcome, StatementStore, deliver
from xapi.lrs import DEFAULT_TIMEOUT, LrsClient

log = logging.getLogger("peerlearn.xapi")


@dataclass
class WorkerSettings:
    lease_seconds: float = 120.0
    base_backoff: float = 2.0
    max_backoff: float = 3600.0
    max_batch: int | None = None  # overrides each destination's batch size when set
    idle_sleep: float = 1.0
    timeout: tuple[float, float] = DEFAULT_TIMEOUT  # connect, read


@dataclass
class StatementWorker:
    engine: Engine
    settings: WorkerSettings = field(default_factory=WorkerSettings)
    client_for: Callable[[Destination], StatementStore] | None = None
    clock: Callable[[], float] = time.time
    # Halved on 413, per destination, for the life of the worker.
    _batch_limits: dict[int, int] = field(default_factory=dict)

    def run_once(self) -> int:
        """Deliver everything due now, destination by destination; returns statements
        delivered. Stops early for a destination that fails or pauses."""
        delivered = 0
        # App processes learn of a new LRS within their routing cache's lifetime; whatever
        # they held meanwhile is handed over here.
        with self.engine.begin() as connection:
            route_held(connection)
            destinations = all_destinations(connection)
        for destination in destinations:
            if destination.paused_reason is None:
                delivered += self._drain(destination)
        return delivered

    def run_forever(self, stop: threading.Event) -> None:
        run_until_stopped(self.run_once, stop, idle_sleep=self.settings.idle_sleep)

    def _client(self, destination: Destination) -> StatementStore:
        if self.client_for is not None:
            return self.client_for(destination)
        return LrsClient(
            destination.endpoint,
            destination.username,
            destination.password,
            timeout=self.settings.timeout,
        )

    def _drain(self, destination: Destination) -> int:
        client = self._client(destination)
        delivered = 0
        try:
            while True:
                limit = self._batch_limits.get(
                    destination.id, self.settings.max_batch or destination.batch_size
                )
                with self.engine.begin() as connection:
                    batch = outbox.claim(
                        connection,
                        topic=TOPIC,
                        destination=destination_name(destination.id),
                        limit=limit,
                        lease_seconds=self.settings.lease_seconds,
                        now=self.clock(),
                    )
                if not batch:
                    return delivered
                outcome = deliver(client, [json.loads(item.payload) for item in batch])
                self._apply(destination, batch, outcome)
                delivered += len(outcome.delivered)
                if outcome.retry or outcome.pause_reason:
                    return delivered  # this LRS is struggling: come back later
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()

    def _apply(
        self, destination: Destination, batch: list[outbox.Claimed], outcome: Outcome
    ) -> None:
        by_key = {item.key: item for item in batch}
        now = self.clock()
        with self.engine.begin() as connection:
            outbox.mark_delivered(connection, [by_key[key].id for key in outcome.delivered], now)
            for key, reason in outcome.dead.items():
                outbox.mark_dead(connection, by_key[key].id, reason)
                log.error(
                    "xAPI statement dead-lettered",
                    extra={"destination": destination.id, "statement_id": key, "reason": reason},
                )
            retry = [by_key[key] for key in outcome.retry]
            if outcome.pause_reason:
                pause(connection, destination.id, outcome.pause_reason, now)
                outbox.release(connection, [item.id for item in retry])
                log.error(
                    "LRS destination paused: fix its credentials, then 'peerlearn lrs resume'",
                    extra={"destination": destination.id, "reason": outcome.pause_reason},
                )
            elif retry:
                attempts = max(item.attempts for item in retry)
                delay = self._backoff(attempts, outcome.retry_after)
                outbox.retry_at(
                    connection, [item.id for item in retry], now + delay, outcome.last_error
                )
                log.warning(
                    "LRS unavailable, retrying later",
                    extra={
                        "destination": destination.id,
                        "delay": round(delay, 1),
                        "error": outcome.last_error[:300],
                    },
                )
        if outcome.too_large:
            current = self._batch_limits.get(destination.id, destination.batch_size)
            self._batch_limits[destination.id] = max(1, current // 2)

    def _backoff(self, attempts: int, retry_after: float | None) -> float:
        # Exponential with full jitter, so many workers do not return all at once.
        ceiling = min(
            self.settings.max_backoff, self.settings.base_backoff * 2 ** min(attempts, 30)
        )
        delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not secrets
        return max(delay, retry_after or 0.0)
