"""One contract for every ephemeral store: memory, SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import multiprocessing
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from lti_tool.domain.ports import EphemeralStore
from lti_tool.persistence.ephemeral import (
    MemoryEphemeralStore,
    RedisEphemeralStore,
    SqlEphemeralStore,
)
from tests.conftest import empty_postgres

REDIS_PREFIX = "contract-test:"
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
REDIS = pytest.param("redis", marks=pytest.mark.redis)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def location_of(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if kind == "redis":
        url: str = request.getfixturevalue("redis_url")
        client = Redis.from_url(url)
        stale = client.keys(REDIS_PREFIX + "*")
        if stale:
            client.delete(*stale)
        client.close()
        return url
    if kind == "sqlite":
        path = tmp_path / "store.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    if kind == "postgres":
        url = request.getfixturevalue("postgres_database")
        empty_postgres(url)
        return url
    return ""


@contextmanager
def open_store(kind: str, location: str, clock: Any = None) -> Iterator[EphemeralStore]:
    if kind == "memory":
        yield MemoryEphemeralStore(clock=clock) if clock else MemoryEphemeralStore()
        return
    if kind == "redis":
        client = Redis.from_url(location)
        yield RedisEphemeralStore(client, prefix=REDIS_PREFIX)
        client.close()
        return
    store = SqlEphemeralStore.for_url(location, **({"clock": clock} if clock else {}))
    yield store
    store.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory", "sqlite", POSTGRES, REDIS])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EphemeralStore]:
    with open_store(request.param, location_of(request.param, request, tmp_path)) as opened:
        yield opened


@pytest.fixture(params=["memory", "sqlite", POSTGRES])
def clocked_store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[EphemeralStore]:
    """Stores whose clock we control (Redis expires keys by its own: see its TTL test)."""
    location = location_of(request.param, request, tmp_path)
    with open_store(request.param, location, clock) as opened:
        yield opened


@pytest.fixture(params=["sqlite", POSTGRES, REDIS])
def shared_backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """Backends that several processes share."""
    return request.param, location_of(request.param, request, tmp_path)


def test_put_then_get_round_trips_json(store: EphemeralStore) -> None:
    store.put("state:a", {"nonce": "n", "list": [1, 2]}, 60)
    assert store.get("state:a") == {"nonce": "n", "list": [1, 2]}
    assert store.get("state:missing") is None


def test_put_replaces(store: EphemeralStore) -> None:
    store.put("k", 1, 60)
    store.put("k", 2, 60)
    assert store.get("k") == 2


def test_add_once_is_true_only_for_the_first(store: EphemeralStore) -> None:
    assert store.add_once("nonce:x", 1, 60) is True
    assert store.add_once("nonce:x", 1, 60) is False
    assert store.add_once("nonce:y", 1, 60) is True


def test_pop_returns_once(store: EphemeralStore) -> None:
    store.put("state:b", "value", 60)
    assert store.pop("state:b") == "value"
    assert store.pop("state:b") is None
    assert store.get("state:b") is None


def test_entries_expire(clocked_store: EphemeralStore, clock: FakeClock) -> None:
    clocked_store.put("k", "v", 10)
    assert clocked_store.add_once("once", 1, 10)
    clock.now += 11
    assert clocked_store.get("k") is None
    assert clocked_store.pop("k") is None
    assert clocked_store.add_once("once", 1, 10) is True  # an expired record may be reused


@pytest.mark.parametrize("kind", ["sqlite", POSTGRES])
def test_expired_rows_are_swept(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> None:
    store = SqlEphemeralStore.for_url(
        location_of(kind, request, tmp_path), clock=clock, purge_interval=60
    )
    store.put("old", 1, 10)
    store.put("fresh", 1, 600)
    clock.now += 61
    store.put("trigger", 1, 600)  # a write after the interval sweeps
    assert store.purge_expired() == 0  # nothing left to sweep
    assert store.get("fresh") == 1
    store.close()


def test_redis_entries_carry_a_ttl(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    store = RedisEphemeralStore(client, prefix="ttl-test:")
    store.put("k", "v", 30)
    store.add_once("n", 1, 40)
    assert 0 < client.ttl("ttl-test:k") <= 30
    assert 30 < client.ttl("ttl-test:n") <= 40
    client.delete("ttl-test:k", "ttl-test:n")
    client.close()


def _race(kind: str, location: str, key: str, start: Any, results: Any) -> None:
    with open_store(kind, location) as store:
        start.wait()
        results.put(store.add_once(key, 1, 60))


def test_add_once_is_atomic_across_processes(shared_backend: tuple[str, str]) -> None:
    kind, location = shared_backend
    contenders = 6
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(contenders)
    results = context.Queue()
    key = f"nonce:{uuid.uuid4().hex}"
    processes = [
        context.Process(target=_race, args=(kind, location, key, start, results))
        for _ in range(contenders)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    outcomes = [results.get(timeout=5) for _ in processes]
    assert sorted(outcomes) == [False] * (contenders - 1) + [True]
