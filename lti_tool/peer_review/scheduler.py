"""Work the clock starts: balanced allocation once an activity's submissions are due.

``peerlearn lti deliver`` runs :func:`allocate_due` in its loop; staff can also allocate
on demand from the dashboard. Each activity is allocated in its own transaction, so one
that cannot be allocated (fewer than two submissions) does not hold the others back.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, select

from lti_tool.courses.activities import PlacedActivity, activity_by_id
from lti_tool.domain.peer_review.settings import AllocationMode, settings_from_dict
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review.allocate import AllocationRefused, allocate
from lti_tool.persistence.models import Activity
from lti_tool.persistence.peer_review_models import ReviewPhase

log = logging.getLogger("peerlearn.peer_review")
KIND = "peer-review"


def allocate_due(engine: Engine, *, now: datetime, recorder: Recorder | None = None) -> int:
    """Allocate every balanced activity whose submission deadline has passed; returns how
    many were allocated."""
    with engine.connect() as connection:
        waiting = list(
            connection.scalars(
                select(Activity.id)
                .outerjoin(ReviewPhase, ReviewPhase.activity_id == Activity.id)
                .where(Activity.kind == KIND, ReviewPhase.allocated_at.is_(None))
            )
        )
    done = 0
    for activity_id in waiting:
        with engine.begin() as connection:
            activity = activity_by_id(connection, activity_id)
            if activity is None or not _due(activity, now):
                continue
            try:
                report = allocate(
                    connection,
                    activity=activity,
                    settings=settings_from_dict(activity.settings),
                    now=now,
                    recorder=recorder,
                )
            except AllocationRefused as refused:
                log.info(
                    "activity due but not allocated",
                    extra={"activity_id": activity_id, "reason": refused.detail},
                )
                continue
        done += 1
        log.info("reviews allocated", extra={"activity_id": activity_id, "relaxed": report})
    return done


def _due(activity: PlacedActivity, now: datetime) -> bool:
    settings = settings_from_dict(activity.settings)
    return settings.allocation is AllocationMode.BALANCED and settings.submissions_due <= now
