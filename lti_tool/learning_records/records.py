"""Learning records: validated xAPI statements into the outbox, and the LRS destinations.

``record`` runs inside the transaction of the change that caused the event, so a
statement exists if and only if its change commits; it does no network I/O. Statements
go to every global LRS and to those of the statement's platform; with none configured
they are held (kept, exportable) until one is added.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, insert, select, update

from lti_tool.outbox import store as outbox
from lti_tool.persistence.models import LrsDestination
from lti_tool.secret_box import SecretBox
from xapi.validation import InvalidStatement, validate_statement

TOPIC = "xapi"
DESTINATIONS = cast(Table, LrsDestination.__table__)
log = logging.getLogger("peerlearn.xapi")


def destination_name(destination_id: int) -> str:
    return f"lrs:{destination_id}"


@dataclass(frozen=True)
class Destination:
    id: int
    name: str
    endpoint: str
    username: str
    # Encrypted (lti_tool/secret_box.py); only the delivery worker opens it.
    sealed_password: str
    platform_id: int | None
    batch_size: int
    paused_reason: str | None


class Routes:
    """Which destinations a platform's statements go to, cached briefly per process."""

    def __init__(
        self, engine: Engine, *, ttl: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._clock = clock
        self._loaded_at = -ttl
        self._all: list[Destination] = []
        self._lock = threading.Lock()

    def for_platform(self, platform_id: int | None) -> list[str]:
        with self._lock:
            if self._clock() - self._loaded_at >= self._ttl:
                with self._engine.connect() as connection:
                    self._all = all_destinations(connection)
                self._loaded_at = self._clock()
            chosen = self._all
        return [
            destination_name(d.id)
            for d in chosen
            if d.platform_id is None or d.platform_id == platform_id
        ]


def all_destinations(connection: Connection) -> list[Destination]:
    rows = connection.execute(select(DESTINATIONS).order_by(DESTINATIONS.c.id))
    return [
        Destination(
            row.id,
            row.name,
            row.endpoint,
            row.username,
            row.sealed_password,
            row.platform_id,
            row.batch_size,
            row.paused_reason,
        )
        for row in rows
    ]


def record(
    connection: Connection,
    statement: dict[str, Any],
    *,
    platform_id: int | None,
    routes: Routes,
    strict: bool,
    now: float | None = None,
) -> None:
    """Validate ``statement`` and add it to the outbox in the caller's transaction.

    An invalid statement is a Peerlearn bug. ``strict`` (development and tests) raises
    :class:`InvalidStatement`; otherwise it is logged with the statement and never sent,
    and the learner's action still succeeds.
    """
    try:
        validate_statement(statement)
    except InvalidStatement:
        if strict:
            raise
        log.exception("invalid xAPI statement not recorded", extra={"statement": statement})
        return
    outbox.enqueue(
        connection,
        topic=TOPIC,
        destinations=routes.for_platform(platform_id),
        key=statement["id"],
        payload=json.dumps(statement, separators=(",", ":")),
        now=time.time() if now is None else now,
    )


def add_destination(
    connection: Connection,
    *,
    endpoint: str,
    username: str,
    password: str,
    platform_id: int | None,
    secrets: SecretBox,
    name: str = "",
    batch_size: int = 100,
) -> int:
    """Register an LRS (its password encrypted by ``secrets``); held statements (no LRS
    until now) are routed to a global one."""
    destination_id = connection.execute(
        insert(DESTINATIONS)
        .values(
            endpoint=endpoint,
            username=username,
            sealed_password=secrets.seal(password),
            platform_id=platform_id,
            name=name,
            batch_size=batch_size,
        )
        .returning(DESTINATIONS.c.id)
    ).scalar_one()
    if platform_id is None:
        route_held(connection)
    return destination_id


def route_held(connection: Connection) -> int:
    """Statements recorded while no LRS was known go to every global LRS now known."""
    globals_ = [
        destination_name(d.id) for d in all_destinations(connection) if d.platform_id is None
    ]
    return outbox.route_held(connection, topic=TOPIC, destinations=globals_)


def pause(connection: Connection, destination_id: int, reason: str, now: float) -> None:
    connection.execute(
        update(DESTINATIONS)
        .where(DESTINATIONS.c.id == destination_id)
        .values(paused_at=now, paused_reason=reason[:2000])
    )


def resume(
    connection: Connection,
    destination_id: int,
    *,
    password: str | None = None,
    secrets: SecretBox | None = None,
) -> bool:
    values: dict[str, Any] = {"paused_at": None, "paused_reason": None}
    if password is not None:
        if secrets is None:
            raise ValueError("a new password needs the SecretBox that encrypts it")
        values["sealed_password"] = secrets.seal(password)
    result = connection.execute(
        update(DESTINATIONS)
        .where(DESTINATIONS.c.id == destination_id)
        .values(**values)
        .returning(DESTINATIONS.c.id)
    )
    return bool(result.all())


def reseal_passwords(connection: Connection, secrets: SecretBox) -> int:
    """Re-encrypt every LRS password with the newest key (after adding one); the count.

    Raises :class:`~lti_tool.secret_box.SecretUnreadable` (changing nothing, since the
    caller's transaction rolls back) if a password is encrypted with a key no longer listed.
    """
    rows = connection.execute(select(DESTINATIONS.c.id, DESTINATIONS.c.sealed_password)).all()
    for destination_id, sealed in rows:
        connection.execute(
            update(DESTINATIONS)
            .where(DESTINATIONS.c.id == destination_id)
            .values(sealed_password=secrets.reseal(sealed))
        )
    return len(rows)


@dataclass(frozen=True)
class DeliveryOverview:
    """Where statements stand, per outbox destination, and the LRSs those names stand for
    (a name with no LRS is the held queue, or an LRS since removed)."""

    rows: list[outbox.DestinationStatus]
    destinations: dict[str, Destination]


def delivery_overview(engine: Engine, *, platform_id: int | None = None) -> DeliveryOverview:
    """What ``peerlearn xapi status`` shows (every destination, global ones and the held
    queue included) or, given ``platform_id``, what that platform's administrators' page
    shows: only the platform's own LRSs and the statements routed to them."""
    with engine.connect() as connection:
        destinations = {destination_name(d.id): d for d in all_destinations(connection)}
        rows = outbox.status(connection, topic=TOPIC)
    if platform_id is not None:
        destinations = {n: d for n, d in destinations.items() if d.platform_id == platform_id}
        rows = [row for row in rows if row.destination in destinations]
    return DeliveryOverview(rows=rows, destinations=destinations)
