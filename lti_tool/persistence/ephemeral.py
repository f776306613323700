"""Ephemeral stores: the database (default), Redis, and an in-memory twin for tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, cast

from redis import Redis
from sqlalchemy import Engine, Table, bindparam, delete, select

from lti_tool.persistence.db import dialect_insert, make_engine
from lti_tool.persistence.models import EphemeralEntry

PURGE_INTERVAL_SECONDS = 300.0


class SqlEphemeralStore:
    """Entries in the ``ephemeral_entry`` table; uniqueness of the key gives atomicity.

    Each call is one statement in its own short transaction, independent of the request's
    session, so a consumed nonce stays consumed even when the request later fails.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        purge_interval: float = PURGE_INTERVAL_SECONDS,
    ) -> None:
        # Every operation is one statement, atomic on its own: autocommit saves the
        # BEGIN and COMMIT round trips.
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._clock = clock
        self._purge_interval = purge_interval
        self._next_purge = clock() + purge_interval
        # Statements are built once; each call only binds values.
        table = cast(Table, EphemeralEntry.__table__)
        row: dict[str, Any] = {
            "key": bindparam("key"),
            "value": bindparam("value"),
            "expires_at": bindparam("expires_at"),
        }
        insert = dialect_insert(engine)(table).values(**row)
        replace = {"value": insert.excluded.value, "expires_at": insert.excluded.expires_at}
        self._put = insert.on_conflict_do_update(
            index_elements=[table.c.key], set_=replace
        ).returning(table.c.key)
        # Insert, or take over an *expired* entry; a live one wins.
        self._add_once = insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_=replace,
            where=table.c.expires_at <= bindparam("now"),
        ).returning(table.c.key)
        self._get = select(table.c.value, table.c.expires_at).where(table.c.key == bindparam("key"))
        self._pop = (
            delete(table)
            .where(table.c.key == bindparam("key"))
            .returning(table.c.value, table.c.expires_at)
        )

    @classmethod
    def for_url(cls, url: str, **options: Any) -> SqlEphemeralStore:
        """A store with its own engine; on PostgreSQL its commits skip the disk flush
        (losing the newest state or nonce in a server crash only fails that launch)."""
        engine_options: dict[str, Any] = {}
        if url.startswith("postgresql"):
            engine_options["connect_args"] = {"options": "-c synchronous_commit=off"}
        return cls(make_engine(url, **engine_options), **options)

    def close(self) -> None:
        self._engine.dispose()

    def _run(self, statement: Any, **values: Any) -> list[Any]:
        with self._engine.connect() as connection:
            return list(connection.execute(statement, values).all())

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        self._maybe_purge()
        self._run(
            self._put, key=key, value=json.dumps(value), expires_at=self._clock() + ttl_seconds
        )

    def get(self, key: str) -> Any | None:
        return self._live(self._run(self._get, key=key))

    def add_once(self, key: str, value: Any, ttl_seconds: int) -> bool:
        now = self._clock()
        # RETURNING counts the rows written (rowcount is unreliable for upserts).
        written = self._run(
            self._add_once, key=key, value=json.dumps(value), expires_at=now + ttl_seconds, now=now
        )
        return len(written) == 1

    def pop(self, key: str) -> Any | None:
        return self._live(self._run(self._pop, key=key))

    def _maybe_purge(self) -> None:
        # Expired rows would pile up; every few minutes a writer sweeps them (one indexed
        # DELETE). Several processes sweeping at once is harmless.
        now = self._clock()
        if now >= self._next_purge:
            self._next_purge = now + self._purge_interval
            self.purge_expired()

    def purge_expired(self) -> int:
        """Delete expired entries; returns how many."""
        table = cast(Table, EphemeralEntry.__table__)
        statement = delete(table).where(table.c.expires_at <= self._clock()).returning(table.c.key)
        return len(self._run(statement))

    def _live(self, rows: list[Any]) -> Any | None:
        if not rows or rows[0].expires_at <= self._clock():
            return None
        return json.loads(rows[0].value)


class RedisEphemeralStore:
    """Entries in Redis with native expiry; ``SET NX`` gives atomicity."""

    def __init__(self, client: Redis, *, prefix: str = "peerlearn:") -> None:
        self._redis = client
        self._prefix = prefix

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        self._redis.set(self._prefix + key, json.dumps(value), ex=ttl_seconds)

    def close(self) -> None:
        self._redis.close()

    def get(self, key: str) -> Any | None:
        raw = self._redis.get(self._prefix + key)
        return None if raw is None else json.loads(raw)

    def add_once(self, key: str, value: Any, ttl_seconds: int) -> bool:
        return bool(self._redis.set(self._prefix + key, json.dumps(value), ex=ttl_seconds, nx=True))

    def pop(self, key: str) -> Any | None:
        raw = self._redis.getdel(self._prefix + key)
        return None if raw is None else json.loads(raw)


class MemoryEphemeralStore:
    """The in-process twin, for fast tests and single-process tools."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._items: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> str | None:
        item = self._items.get(key)
        if item is None or item[1] <= self._clock():
            self._items.pop(key, None)
            return None
        return item[0]

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        with self._lock:
            self._items[key] = (json.dumps(value), self._clock() + ttl_seconds)

    def get(self, key: str) -> Any | None:
        with self._lock:
            raw = self._live(key)
        return None if raw is None else json.loads(raw)

    def add_once(self, key: str, value: Any, ttl_seconds: int) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._items[key] = (json.dumps(value), self._clock() + ttl_seconds)
            return True

    def pop(self, key: str) -> Any | None:
        with self._lock:
            raw = self._live(key)
            self._items.pop(key, None)
        return None if raw is None else json.loads(raw)
