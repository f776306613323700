"""The learning records the course library writes: statements about a library item.

The statements themselves are built in :mod:`xapi.library`; this module looks up the item
a statement is about and records it through the one
:class:`~lti_tool.learning_records.recorder.Recorder`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from lti_tool.learning_records.recorder import Recorder, StatementBuilder
from lti_tool.persistence.library_models import LibraryItem as ItemRow
from xapi import library as statements


def record_about_item(
    recorder: Recorder,
    connection: Connection,
    item_id: int,
    user_id: int,
    build: StatementBuilder,
    *,
    context_id: int | None = None,
    **values: Any,
) -> dict[str, Any]:
    """Build one statement by ``user_id`` about item ``item_id`` and queue it.

    ``context_id`` is the course it happened in when that is not the item's own (an
    item read in a course it was shared to); the item's id stays its own course's.
    """
    item = recorder.remember(
        ("library item", item_id),
        lambda: connection.execute(
            select(ItemRow.key, ItemRow.title, ItemRow.kind, ItemRow.context_id).where(
                ItemRow.id == item_id
            )
        ).one(),
    )
    return recorder.record(
        connection,
        user_id=user_id,
        context_id=context_id or item.context_id,
        build=build,
        item=statements.LibraryItem(item.key, item.title, item.kind, item.context_id),
        **values,
    )


def void_item_statements(
    recorder: Recorder,
    connection: Connection,
    item_id: int,
    user_id: int,
    target_ids: list[str],
    **values: Any,
) -> None:
    """Void earlier statements about an item (its authored and edited ones)."""
    for target in target_ids:
        record_about_item(
            recorder, connection, item_id, user_id, _voiding, target_id=target, **values
        )


def _voiding(*, item: statements.LibraryItem, **values: Any) -> dict[str, Any]:
    del item  # a voiding statement names the statement, not the item
    return statements.voided(**values)
