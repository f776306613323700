"""The delivery worker: claims due statements per LRS, delivers them, records outcomes.

``peerlearn xapi deliver`` runs it (``--once`` drains and exits); an install on one
machine may run it in-process instead. Each LRS keeps its own state: a paused or failing
one never holds up another.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
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
from lti_tool.outbox.runner import run_until_stopped
from lti_tool.outbox.store import Claimed
from lti_tool.outbox.worker import Backoff, OutboxLoop, Retry, Settlement
from lti_tool.secret_box import SecretBox, SecretUnreadable
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
    # Opens the LRS passwords (PEERLEARN_SECRETS_KEYS).
    secrets: SecretBox = field(kw_only=True)
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
            if destination.paused_reason is None and self._password_readable(destination):
                delivered += self._drain(destination)
        return delivered

    def _password_readable(self, destination: Destination) -> bool:
        """A password no configured key opens pauses its LRS (a key removed too early)."""
        try:
            self.secrets.open(destination.sealed_password)
        except SecretUnreadable:
            reason = (
                "its password cannot be decrypted with PEERLEARN_SECRETS_KEYS: put the old "
                "key back and run 'peerlearn lrs rotate-secrets', or set the password again"
            )
            log.error(  # noqa: TRY400 - the reason says it all; no traceback in the log
                "LRS destination paused", extra={"destination": destination.id, "reason": reason}
            )
            with self.engine.begin() as connection:
                pause(connection, destination.id, reason, self.clock())
            return False
        return True

    def run_forever(self, stop: threading.Event) -> None:
        run_until_stopped(self.run_once, stop, idle_sleep=self.settings.idle_sleep)

    def _client(self, destination: Destination) -> StatementStore:
        if self.client_for is not None:
            return self.client_for(destination)
        return LrsClient(
            destination.endpoint,
            destination.username,
            self.secrets.open(destination.sealed_password),
            timeout=self.settings.timeout,
        )

    def _drain(self, destination: Destination) -> int:
        client = self._client(destination)
        loop = OutboxLoop(
            self.engine,
            TOPIC,
            log,
            "LRS unavailable, retrying later",
            lease_seconds=self.settings.lease_seconds,
            backoff=Backoff(self.settings.base_backoff, self.settings.max_backoff),
            clock=self.clock,
        )

        def limit() -> int:
            return self._batch_limits.get(
                destination.id, self.settings.max_batch or destination.batch_size
            )

        def handle(batch: list[Claimed]) -> Iterator[Settlement]:
            outcome = deliver(client, [json.loads(item.payload) for item in batch])
            yield self._settlement(destination, batch, outcome)

        try:
            return loop.drain(destination_name(destination.id), handle, limit=limit)
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                close()

    def _settlement(
        self, destination: Destination, batch: list[Claimed], outcome: Outcome
    ) -> Settlement:
        by_key = {item.key: item for item in batch}
        for key, reason in outcome.dead.items():
            log.error(
                "xAPI statement dead-lettered",
                extra={"destination": destination.id, "statement_id": key, "reason": reason},
            )
        if outcome.too_large:
            current = self._batch_limits.get(destination.id, destination.batch_size)
            self._batch_limits[destination.id] = max(1, current // 2)
        retry = [by_key[key] for key in outcome.retry]
        settled = Settlement(
            delivered=[by_key[key].id for key in outcome.delivered],
            dead={by_key[key].id: reason for key, reason in outcome.dead.items()},
            # This LRS is struggling: come back later.
            stop=bool(outcome.retry or outcome.pause_reason),
        )
        if outcome.pause_reason:
            log.error(
                "LRS destination paused: fix its credentials, then 'peerlearn lrs resume'",
                extra={"destination": destination.id, "reason": outcome.pause_reason},
            )
            reason, now = outcome.pause_reason, self.clock()
            return dataclasses.replace(
                settled,
                also=lambda connection: pause(connection, destination.id, reason, now),
                released=[item.id for item in retry],
            )
        if retry:
            attempts = max(item.attempts for item in retry)
            return dataclasses.replace(
                settled,
                retry=Retry(retry, outcome.last_error, attempts, after=outcome.retry_after),
            )
        return settled
