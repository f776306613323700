"""Alembic environment: the URL comes from the caller or from Peerlearn's settings."""

from __future__ import annotations

from alembic import context

from config import load_settings
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.schema import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or load_settings().database_url

# Full-text search tables made by raw SQL in migration 0008, outside the metadata: SQLite's
# FTS5 table with its shadow tables (lib_item_fts_data, ...), PostgreSQL's stored vectors.
SQLITE_SEARCH_TABLE = "lib_item_fts"
POSTGRES_SEARCH_TABLE = "lib_item_search"


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """Leave the search tables out of reflection, so ``alembic check`` stays clean."""
    if type_ != "table" or name is None:
        return True
    fts = name == SQLITE_SEARCH_TABLE or name.startswith(SQLITE_SEARCH_TABLE + "_")
    return not fts and name != POSTGRES_SEARCH_TABLE


def include_object(
    _object: object,
    name: str | None,
    type_: str,
    reflected: bool,  # noqa: FBT001
    _compare_to: object,
) -> bool:
    return not reflected or include_name(name, type_, None)


def run_migrations_offline() -> None:
    context.configure(
        url=url,
        target_metadata=Base.metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
        include_name=include_name,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
            include_name=include_name,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
