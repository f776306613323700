"""Library rows built directly (the authoring operations are not needed to test social
learning): a campus of platforms, courses, people, items and topics on SQLite and
PostgreSQL (see :class:`tests.factories.library.Campus`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tests.factories.library import CAMPUS_NOW as NOW
from tests.factories.library import Campus


@pytest.fixture
def campus(engine: Engine) -> Iterator[Campus]:
    """A connection with the campus inserted (not committed: tests that need other
    connections to see it commit themselves)."""
    with engine.connect() as connection:
        yield Campus.on(connection)


__all__ = ["NOW", "Campus", "campus"]
