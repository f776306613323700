"""Engine and session factory; one session per request is opened by the web layer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, create_engine, event, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **options: Any) -> Engine:
    """An engine with the settings each backend needs to be safe under concurrency."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL lets readers proceed while a writer commits; foreign keys are off by default.
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL never corrupts the database; it may only lose the last
            # commits on power loss, and saves an fsync per commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=False, **options)


def dialect_insert(bind: Session | Engine | Connection) -> Any:
    """The ``insert`` of the bound dialect, which has ``on_conflict_do_update``."""
    dialect = bind.get_bind().dialect if isinstance(bind, Session) else bind.dialect
    return postgresql_insert if dialect.name == "postgresql" else sqlite_insert


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def lock_rows(connection: Connection, model: Any, *where: ColumnElement[bool]) -> None:
    """Take the write lock on the rows ``where`` names, first thing in a transaction, so
    the same act sent twice at once runs one after the other and the second sees what the
    first did. A no-op UPDATE: PostgreSQL makes it wait on the rows' locks, SQLite on its
    single writer lock (taken before the act reads anything)."""
    connection.execute(update(model).where(*where).values(id=model.id))
