"""Newest-first keyset pages over an index, filtered by rules an index cannot hold.

The feed and the inbox show only rows about items a course may still see. Asking for
"the newest N visible rows" in one query lets the planner start from the items instead
of the index (PostgreSQL did, scanning every event per item: seconds, not
milliseconds). Here the index is walked in chunks of ids, newest first, and each chunk
is filtered by primary key, so a page costs a few index probes whatever the course's
size.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeAlias

from sqlalchemy import Connection, Row, Select

AnySelect: TypeAlias = Select[*tuple[Any, ...]]


def newest_first(
    connection: Connection,
    *,
    window: Callable[[int | None, int], AnySelect],
    rows: Callable[[Sequence[Row[Any]]], AnySelect],
    before: int | None,
    wanted: int,
    chunk: int,
) -> list[Row[Any]]:
    """Up to ``wanted`` rows, newest first, older than ``before``.

    ``window(cursor, size)`` selects the next ``size`` candidates older than ``cursor``
    (None: from the newest) in descending order through the index: their id first, and
    any keys the filter needs; ``rows(candidates)`` selects those that pass the filters,
    also descending, naming the rows by these keys (IN lists on primary keys, which the
    planner takes for what they are even without statistics).
    """
    found: list[Row[Any]] = []
    cursor = before
    while len(found) < wanted:
        candidates = connection.execute(window(cursor, chunk)).all()
        if not candidates:
            break
        found.extend(connection.execute(rows(candidates)).all())
        if len(candidates) < chunk:
            break
        cursor = candidates[-1][0]
    return found[:wanted]
