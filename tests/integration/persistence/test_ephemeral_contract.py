"""One contract for every ephemeral store: memory, SQLite, PostgreSQL and Redis."""

from __future__ import annotations

import multiprocessing
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from redis import Redis

from lti_tool.domain.ports import EphemeralStore
from lti_tool.persistence.db import make_engine, make_session_factory
from lti_tool.persistence.ephemeral import (
    MemoryEphemeralStore,
    RedisEphemeralStore,
    SqlEphemeralStore,
)
from tests.conftest import empty_postgres


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def open_store(kind: str, location: str, clock: Any = None) -> Iterator[EphemeralStore]:
    if kind == "redis":
        client = Redis.from_url(location)
        yield RedisEphemeralStore(client, prefix="contract-test:")
        client.close()
        return
    engine = make_engine(location)
    options = {"clock": clock} if clock else {}
    yield SqlEphemeralStore(make_session_factory(engine), **options)
    engine.dispose()


@pytest.fixture(
    params=[
        "memory",
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Any) -> tuple[str, str]:
    if request.param == "memory":
        return "memory", ""
    if request.param == "redis":
        return "redis", request.getfixturevalue("redis_url")
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return "sqlite", f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return "postgres", url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(backend: tuple[str, str], clock: FakeClock) -> Iterator[EphemeralStore]:
    kind, location = backend
    if kind == "memory":
        yield MemoryEphemeralStore(clock=clock)
        return
    if kind == "redis":
        Redis.from_url(location).delete(*Redis.from_url(location).keys("contract-test:*") or ["-"])
    with open_store(kind, location, None if kind == "redis" else clock) as opened:
        yield opened


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


def test_entries_expire(store: EphemeralStore, backend: tuple[str, str], clock: FakeClock) -> None:
    if backend[0] == "redis":
        pytest.skip("Redis expires keys by its own clock; covered by its TTL below")
    store.put("k", "v", 10)
    assert store.add_once("once", 1, 10)
    clock.now += 11
    assert store.get("k") is None
    assert store.pop("k") is None
    assert store.add_once("once", 1, 10) is True  # an expired nonce record may be reused


def test_redis_entries_carry_a_ttl(redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    store = RedisEphemeralStore(client, prefix="ttl-test:")
    store.put("k", "v", 30)
    store.add_once("n", 1, 40)
    assert 0 < client.ttl("ttl-test:k") <= 30
    assert 30 < client.ttl("ttl-test:n") <= 40
    client.delete("ttl-test:k", "ttl-test:n")


def _race(kind: str, location: str, key: str, start: Any, results: Any) -> None:
    with open_store(kind, location) as store:
        start.wait()
        results.put(store.add_once(key, 1, 60))


@pytest.mark.parametrize("contenders", [6])
def test_add_once_is_atomic_across_processes(backend: tuple[str, str], contenders: int) -> None:
    kind, location = backend
    if kind == "memory":
        pytest.skip("the memory store lives in one process")
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
