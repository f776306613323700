"""Grade passback through the durable outbox: scores reach the LMS gradebook, in order.

``record_score`` runs in the transaction of the change that produced the grade. The
:class:`GradeWorker` publishes scores per platform in the order they were recorded; when
the LMS cannot take one (down, or refusing tokens) it stops that platform's round there,
so a later score for the same person and line item is never applied before an earlier
one. Scores the LMS refuses outright (400, 404, 422) are dead-lettered with its reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from lti_tool.lti.ags import AgsClient, AgsError
from lti_tool.lti.registrations import RegistrationDirectory
from lti_tool.outbox import store as outbox
from lti_tool.persistence.models import Platform

TOPIC = "ags-score"
REFUSALS = {400, 404, 409, 422}
log = logging.getLogger("peerlearn.grades")


def destination_for(platform_id: int) -> str:
    return f"ags:{platform_id}"


def record_score(
    connection: Connection,
    *,
    platform_id: int,
    lineitem_url: str,
    score: dict[str, Any],
    now: float | None = None,
) -> None:
    """Queue ``score`` (an AGS score with ``userId`` and ``timestamp``) for the LMS."""
    identity = f"{lineitem_url}\n{score['userId']}\n{score['timestamp']}"
    outbox.enqueue(
        connection,
        topic=TOPIC,
        destinations=[destination_for(platform_id)],
        key=hashlib.sha256(identity.encode()).hexdigest()[:64],
        payload=json.dumps({"lineitem": lineitem_url, "score": score}),
        now=time.time() if now is None else now,
    )


@dataclass
class GradeWorker:
    engine: Engine
    ags: AgsClient
    registrations: RegistrationDirectory
    batch: int = 50
    lease_seconds: float = 120.0
    base_backoff: float = 2.0
    max_backoff: float = 3600.0
    clock: Callable[[], float] = time.time

    def run_once(self) -> int:
        """Publish what is due for every platform; returns scores published."""
        with self.engine.connect() as connection:
            platforms = connection.execute(
                select(Platform.id, Platform.issuer, Platform.client_id)
            ).all()
        return sum(self._drain(row.id, row.issuer, row.client_id) for row in platforms)

    def _drain(self, platform_id: int, issuer: str, client_id: str) -> int:
        registration = self.registrations.find(issuer, client_id)
        if registration is None:
            return 0
        published = 0
        while True:
            with self.engine.begin() as connection:
                claimed = outbox.claim(
                    connection,
                    topic=TOPIC,
                    destination=destination_for(platform_id),
                    limit=self.batch,
                    lease_seconds=self.lease_seconds,
                    now=self.clock(),
                )
            if not claimed:
                return published
            for position, message in enumerate(claimed):
                body = json.loads(message.payload)
                try:
                    self.ags.publish_score(registration, body["lineitem"], body["score"])
                except AgsError as error:
                    if error.http_status in REFUSALS:
                        with self.engine.begin() as connection:
                            outbox.mark_dead(connection, message.id, error.detail)
                        log.exception("score refused by the LMS", extra={"platform": platform_id})
                        continue
                    # Keep the order: this score and every later one wait together.
                    self._retry_later(
                        [m.id for m in claimed[position:]], message.attempts, error.detail
                    )
                    return published
                with self.engine.begin() as connection:
                    outbox.mark_delivered(connection, [message.id], self.clock())
                published += 1

    def _retry_later(self, ids: list[int], attempts: int, reason: str) -> None:
        ceiling = min(self.max_backoff, self.base_backoff * 2 ** min(attempts, 30))
        delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not secrets
        with self.engine.begin() as connection:
            outbox.retry_at(connection, ids, self.clock() + delay, reason)
        log.warning(
            "LMS gradebook unavailable, retrying later",
            extra={"delay": round(delay, 1), "error": reason[:300]},
        )
