"""Staff read the course roster and ask for it (and groups) to be read from the LMS now: a
request the roster worker picks up. Repeated requests within :data:`MANUAL_WINDOW` are one."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from lti_tool.courses import roster
from lti_tool.domain.errors import BadRequest

MANUAL_WINDOW = timedelta(minutes=1)


def roster_page(engine: Engine, context_id: int) -> roster.CourseRoster:
    """What the staff roster page shows: everyone in the course, launched or not."""
    with engine.connect() as connection:
        return roster.course_roster(connection, context_id)


def request_manual_sync(
    connection: Connection, *, platform_id: int, context_id: int, now: datetime
) -> None:
    """Queue a staff-asked sync of the course, in the caller's transaction."""
    roster.request_sync(
        connection,
        platform_id=platform_id,
        context_id=context_id,
        now=now,
        interval=MANUAL_WINDOW,
        kind="manual",
    )


def sync_roster_now(engine: Engine, *, platform_id: int, context_id: int, now: datetime) -> None:
    """The "sync now" button: refused when the LMS offered no roster service."""
    with engine.begin() as connection:
        if not roster.has_roster_service(connection, context_id):
            raise BadRequest(
                "Your LMS has not offered this course's roster to Peerlearn.",
                code="no_roster_service",
            )
        request_manual_sync(connection, platform_id=platform_id, context_id=context_id, now=now)
