"""Ephemeral stores: the database (default), Redis, and an in-memory twin for tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from redis import Redis
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.persistence.models import EphemeralEntry


class SqlEphemeralStore:
    """Entries in the ``ephemeral_entry`` table; uniqueness of the key gives atomicity.

    Each call runs in its own short transaction, independent of the request's session, so
    a consumed nonce stays consumed even when the request later fails.
    """

    def __init__(
        self, sessions: sessionmaker[Session], *, clock: Callable[[], float] = time.time
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        with self._sessions.begin() as session:
            session.merge(
                EphemeralEntry(
                    key=key, value=json.dumps(value), expires_at=self._clock() + ttl_seconds
                )
            )

    def get(self, key: str) -> Any | None:
        with self._sessions() as session:
            entry = session.get(EphemeralEntry, key)
            if entry is None or entry.expires_at <= self._clock():
                return None
            return json.loads(entry.value)

    def add_once(self, key: str, value: Any, ttl_seconds: int) -> bool:
        now = self._clock()
        with self._sessions.begin() as session:
            # An expired entry may be replaced; the delete only matches when it has expired.
            session.execute(
                delete(EphemeralEntry).where(
                    EphemeralEntry.key == key, EphemeralEntry.expires_at <= now
                )
            )
        try:
            with self._sessions.begin() as session:
                session.add(
                    EphemeralEntry(key=key, value=json.dumps(value), expires_at=now + ttl_seconds)
                )
        except IntegrityError:
            return False
        return True

    def pop(self, key: str) -> Any | None:
        with self._sessions.begin() as session:
            entry = session.execute(
                delete(EphemeralEntry)
                .where(EphemeralEntry.key == key)
                .returning(EphemeralEntry.value, EphemeralEntry.expires_at)
            ).one_or_none()
        if entry is None or entry.expires_at <= self._clock():
            return None
        return json.loads(entry.value)

    def purge_expired(self) -> int:
        with self._sessions.begin() as session:
            result = session.execute(
                delete(EphemeralEntry).where(EphemeralEntry.expires_at <= self._clock())
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def count(self) -> int:
        with self._sessions() as session:
            return len(session.scalars(select(EphemeralEntry.key)).all())


class RedisEphemeralStore:
    """Entries in Redis with native expiry; ``SET NX`` gives atomicity."""

    def __init__(self, client: Redis, *, prefix: str = "peerlearn:") -> None:
        self._redis = client
        self._prefix = prefix

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        self._redis.set(self._prefix + key, json.dumps(value), ex=ttl_seconds)

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
