"""Shared fixtures: real SQLite, PostgreSQL and Redis.

PostgreSQL and Redis tests skip with a visible reason when the servers are absent, except
where ``PEERLEARN_TEST_REQUIRE_SERVICES=1`` (CI sets it): there they fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, MetaData, create_engine, text

from config import Environment, Settings
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.migrate import upgrade
from tests.support.secrets import SECRETS_KEYS

if TYPE_CHECKING:
    from tests.support.ralph import Ralph

POSTGRES_URL = os.environ.get(
    "PEERLEARN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_SERVICES = os.environ.get("PEERLEARN_TEST_REQUIRE_SERVICES") == "1"


def worker_index() -> int:
    """0 when run alone, else pytest-xdist's worker number (gw0 -> 0, gw1 -> 1, ...)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


def worker_redis_url(base: str) -> str:
    """A Redis database of this worker's own: the base database number minus the worker
    index (CI's base 15 gives 15, 14, ...), so parallel workers never share keys."""
    head, _, tail = base.rpartition("/")
    if not tail.isdigit():
        return base
    number = int(tail) - worker_index()
    if number < 0:
        raise RuntimeError(f"no Redis database left for worker {worker_index()} below {base}")
    return f"{head}/{number}"


REDIS_URL = worker_redis_url(
    os.environ.get("PEERLEARN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
)


def unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (required: PEERLEARN_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"peerlearn_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
            # A test database need not survive a crash: commits skip the disk flush.
            connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    except Exception as error:
        admin.dispose()
        unavailable(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error.__class__.__name__}")
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    yield url
    emptier = _emptiers.pop(url, None)
    if emptier is not None:
        emptier.engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@dataclass
class _Emptier:
    """What emptying one PostgreSQL database needs: a kept connection, every table (the
    models' and those only migrations make, such as search indexes) children first, and
    one query that finds the tables holding rows."""

    engine: Engine
    tables: list[str]
    probe: str


_emptiers: dict[str, _Emptier] = {}


def _emptier(url: str) -> _Emptier:
    found = _emptiers.get(url)
    if found is None:
        engine = create_engine(url, pool_size=1)
        reflected = MetaData()
        reflected.reflect(engine)
        tables = [t.name for t in reversed(reflected.sorted_tables) if t.name != "alembic_version"]
        # Table names come from the database's own catalog.
        probe = " UNION ALL ".join(
            f'(SELECT {index} WHERE EXISTS (SELECT 1 FROM "{name}"))'  # noqa: S608
            for index, name in enumerate(tables)
        )
        found = _emptiers[url] = _Emptier(engine, tables, probe)
    return found


def empty_postgres(url: str) -> None:
    """Empty every table and restart every sequence, as ``TRUNCATE ... RESTART IDENTITY
    CASCADE`` of all tables would: but only the tables that hold rows are touched, and with
    DELETE (children first), which takes milliseconds where TRUNCATE took 200-300."""
    emptier = _emptier(url)
    with emptier.engine.begin() as connection:
        holding = [emptier.tables[row[0]] for row in connection.execute(text(emptier.probe))]
        for name in sorted(holding, key=emptier.tables.index):
            connection.execute(text(f'DELETE FROM "{name}"'))  # noqa: S608 - from the catalog
        connection.execute(text("SELECT setval(seqrelid, seqstart, false) FROM pg_sequence"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "peerlearn.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on this test's database (the one ``engine`` fixture of the suite)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def redis_url() -> str:
    import redis  # noqa: PLC0415

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis is not reachable at {REDIS_URL}: {error.__class__.__name__}")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture(scope="session")
def session_ralph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ralph]:
    """One real LRS per test process (each xdist worker has its own, with its own file)."""
    from tests.support.ralph import running_ralph  # noqa: PLC0415 - only where an LRS is used

    with running_ralph(tmp_path_factory.mktemp("ralph")) as ralph:
        yield ralph


@pytest.fixture
def ralph(session_ralph: Ralph) -> Iterator[Ralph]:
    """The process's LRS, running and empty (tests may stop and restart it)."""
    if session_ralph.process is None or session_ralph.process.poll() is not None:
        session_ralph.stop()
        session_ralph.start()
    session_ralph.forget()
    yield session_ralph
    if session_ralph.process is None:
        session_ralph.start()  # a test that stopped it and failed before starting it again
    session_ralph.forget()


def make_settings(
    tmp_path: Path,
    *,
    database_url: str,
    base_url: str = "http://127.0.0.1:5000",
    redis_url: str | None = None,
    **changes: object,
) -> Settings:
    settings = Settings(
        env=Environment.DEVELOPMENT,
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-" + "x" * 32,
        base_url=base_url,
        keys_dir=tmp_path / "keys",
        instance_dir=tmp_path / "instance",
        secrets_keys=SECRETS_KEYS,
    )
    return settings.with_overrides(**changes) if changes else settings
