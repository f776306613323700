"""Migration 0008 on SQLite and PostgreSQL: ``alembic check`` stays clean with the search
objects outside the metadata, and down to 0007 and up again leaves a working index
built from the rows that were there."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from lti_tool.library.discovery import LibraryQuery, list_items
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.migrate import alembic_config
from tests.factories.library import Library


def found(url: str, context_id: int, search: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            page = list_items(
                connection,
                context_id=context_id,
                viewer_id=0,
                query=LibraryQuery(text=search, sort="relevance"),
            )
        return [card.title for card in page.items]
    finally:
        engine.dispose()


def test_check_is_clean_and_the_index_is_rebuilt_on_upgrade(database_url: str) -> None:
    config = alembic_config(database_url)
    command.check(config)  # raises when the database and the models differ
    engine = make_engine(database_url)
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        library.item(course, "Peer feedback", body_markdown="Before the downgrade.")
    engine.dispose()
    try:
        command.downgrade(config, "0007")
        engine = make_engine(database_url)
        with engine.begin() as connection:
            leftovers = (
                "SELECT count(*) FROM sqlite_master WHERE name LIKE 'lib_item_fts%'"
                if connection.dialect.name == "sqlite"
                else "SELECT count(*) FROM pg_class WHERE relname LIKE 'lib_item_search%'"
            )
            assert connection.execute(text(leftovers)).scalar() == 0
            Library(connection).item(course, "Written at 0007", body_markdown="Peer notes.")
        engine.dispose()
    finally:
        command.upgrade(config, "head")
    command.check(config)
    assert sorted(found(database_url, course, "peer")) == ["Peer feedback", "Written at 0007"]
