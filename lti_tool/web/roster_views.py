"""The course roster for staff: who is enrolled, who never launched, and "sync now"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.courses import roster
from lti_tool.domain.errors import BadRequest, Forbidden
from lti_tool.launch_session import LaunchSession
from lti_tool.web.context import current_launch, services

roster_pages = Blueprint("roster_pages", __name__)

# Repeated "sync now" clicks within this window are one request.
MANUAL_WINDOW = timedelta(minutes=1)


def course_staff_only(launch: LaunchSession) -> int:
    """The course id of a staff launch; anyone else may not see or sync the roster."""
    if not launch.is_staff:
        raise Forbidden("Only course staff can see the course roster.", code="staff_only")
    if launch.context_id is None:
        raise BadRequest("Peerlearn was opened outside a course.", code="no_course")
    return launch.context_id


@roster_pages.get("/app/roster")
def show() -> str:
    launch, token = current_launch()
    context_id = course_staff_only(launch)
    with services().engine.connect() as connection:
        found = roster.course_roster(connection, context_id)
    return render_template(
        "roster.html", token=token, roster=found, requested=request.args.get("requested") == "1"
    )


@roster_pages.post("/app/roster/sync")
def sync_now() -> ResponseReturnValue:
    launch, token = current_launch()
    context_id = course_staff_only(launch)
    with services().engine.begin() as connection:
        if not roster.has_roster_service(connection, context_id):
            raise BadRequest(
                "Your LMS has not offered this course's roster to Peerlearn.",
                code="no_roster_service",
            )
        roster.request_sync(
            connection,
            platform_id=launch.platform_id,
            context_id=context_id,
            now=datetime.now(UTC),
            interval=MANUAL_WINDOW,
            kind="manual",
        )
    return redirect(url_for("roster_pages.show", ls=token, requested="1"), code=303)
