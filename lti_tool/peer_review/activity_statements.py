"""The learning records peer review writes: statements about a peer-reviewed activity.

The statements themselves are built in :mod:`xapi.peer_review`; this module looks up the
activity a statement is about and records it through the one
:class:`~lti_tool.learning_records.recorder.Recorder`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from lti_tool.learning_records.recorder import Recorder, StatementBuilder
from lti_tool.persistence.models import Activity
from xapi import peer_review as statements

SUBMITTED = statements.submitted
WAS_ASSIGNED = statements.was_assigned
REVIEWED = statements.reviewed
SCORED = statements.scored
RATED = statements.rated
FLAGGED = statements.flagged
ANSWERED_CALIBRATION = statements.answered_calibration


def record_about_activity(
    recorder: Recorder,
    connection: Connection,
    activity_id: int,
    user_id: int,
    build: StatementBuilder,
    **values: Any,
) -> None:
    """Build one statement by ``user_id`` about ``activity_id`` and queue it."""
    activity = recorder.remember(
        ("peer-review activity", activity_id),
        lambda: connection.execute(
            select(Activity.title, Activity.key, Activity.context_id).where(
                Activity.id == activity_id
            )
        ).one(),
    )
    recorder.record(
        connection,
        user_id=user_id,
        context_id=activity.context_id,
        build=build,
        activity=(activity_id, activity.title, activity.key),
        **values,
    )
