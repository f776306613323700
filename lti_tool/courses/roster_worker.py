"""Running queued roster syncs: the outbox's ``nrps-sync`` requests, platform by platform.

An LMS that is down (or whose token endpoint is) delays the platform's requests with
exponential backoff; one that refuses the roster outright (4xx after a token renewal)
dead-letters the request with its reason. A request that a later sync already satisfied
is done without reading the roster again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select

from lti_tool.courses.lms_groups import GroupSync
from lti_tool.courses.roster import TOPIC, RosterSync, destination_for
from lti_tool.domain.errors import NotFound
from lti_tool.lti.nrps import RosterError
from lti_tool.lti.service_tokens import ServiceTokenError
from lti_tool.outbox.store import Claimed
from lti_tool.outbox.worker import Backoff, Dead, Done, Later, OutboxLoop, Verdict, one_at_a_time
from lti_tool.persistence.models import Platform

REFUSALS = {400, 401, 403, 404, 405, 410, 422}  # the LMS will not give this roster
log = logging.getLogger("peerlearn.roster")


@dataclass
class RosterWorker:
    """Runs queued sync requests, platform by platform."""

    engine: Engine
    roster: RosterSync
    # The course's LMS groups are read right after its roster, in the same request.
    groups: GroupSync | None = None
    batch: int = 20
    lease_seconds: float = 900.0  # a sync of a large course takes a while
    base_backoff: float = 30.0
    max_backoff: float = 3600.0
    clock: Callable[[], float] = lambda: datetime.now(UTC).timestamp()

    def run_once(self) -> int:
        """Run every sync request that is due; returns requests done."""
        with self.engine.connect() as connection:
            platform_ids = list(connection.scalars(select(Platform.id)))
        loop = OutboxLoop(
            self.engine,
            TOPIC,
            log,
            "LMS roster unavailable, retrying later",
            batch=self.batch,
            lease_seconds=self.lease_seconds,
            backoff=Backoff(self.base_backoff, self.max_backoff),
            clock=self.clock,
        )
        return sum(
            loop.drain(destination_for(platform_id), one_at_a_time(self._handle))
            for platform_id in platform_ids
        )

    def _handle(self, message: Claimed) -> Verdict:
        # The LMS (or its token endpoint) unavailable: this platform's other requests
        # would fail the same way, so they wait together (Later).
        try:
            self._run(json.loads(message.payload))
        except RosterError as error:
            if error.http_status in REFUSALS:
                log.exception("roster refused by the LMS")
                return Dead(error.detail)
            return Later(error.detail)
        except ServiceTokenError as error:
            return Later(error.detail)
        except NotFound as error:  # the course or its LMS is gone: nothing to do
            log.info("roster sync request dropped", extra={"reason": error.detail})
        return Done()

    def _run(self, body: dict[str, Any]) -> None:
        requested = body.get("requested_at")
        since = (
            datetime.fromtimestamp(float(requested), tz=UTC)
            if requested is not None and not body.get("full")
            else None
        )
        context_id = int(body["context_id"])
        self.roster.sync(context_id, full=bool(body.get("full")), unless_synced_since=since)
        if self.groups is not None:
            self.groups.sync(context_id, unless_synced_since=since)
