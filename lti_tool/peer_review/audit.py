"""The ``activity_change`` record of what staff changed in an activity after placement.

Every staff act that changes grades or allocations after the fact writes one row, in the
act's own transaction: who, when, and a JSON object whose single key says what kind of
change it was (``settings``, ``moderation``, ``override``, ``allocation``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from lti_tool.persistence.peer_review_models import ActivityChange


def record_change(
    connection: Connection,
    *,
    activity_id: int,
    changed_by: int,
    at: datetime,
    changes: dict[str, Any],
) -> None:
    """Add one audit row in the caller's transaction."""
    connection.execute(
        insert(ActivityChange).values(
            activity_id=activity_id, changed_by=changed_by, at=at, changes=changes
        )
    )


def changes_of(connection: Connection, activity_id: int) -> list[dict[str, Any]]:
    """The activity's audit rows, newest first."""
    return [
        {"by": row.changed_by, "at": row.at, "changes": row.changes}
        for row in connection.execute(
            select(ActivityChange.changed_by, ActivityChange.at, ActivityChange.changes)
            .where(ActivityChange.activity_id == activity_id)
            .order_by(ActivityChange.at.desc(), ActivityChange.id.desc())
        )
    ]
