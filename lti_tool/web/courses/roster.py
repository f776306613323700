"""The course roster for staff: who is enrolled, who never launched, and "sync now"."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields

from lti_tool.courses.roster_requests import roster_page, sync_roster_now
from lti_tool.domain.errors import BadRequest, Forbidden
from lti_tool.launch_session import LaunchSession
from lti_tool.web.context import current_launch, services
from lti_tool.web.forms import Form, load


class RosterArgs(Form):
    requested = fields.String(load_default="")


def course_staff_only(launch: LaunchSession) -> int:
    """The course id of a staff launch; anyone else may not see or sync the roster."""
    if not launch.is_staff:
        raise Forbidden("Only course staff can see the course roster.", code="staff_only")
    if launch.context_id is None:
        raise BadRequest("Peerlearn was opened outside a course.", code="no_course")
    return launch.context_id


def show_roster() -> str:
    launch, token = current_launch()
    context_id = course_staff_only(launch)
    return render_template(
        "roster.html",
        token=token,
        roster=roster_page(services().engine, context_id),
        requested=load(RosterArgs(), request.args)["requested"] == "1",
    )


def sync_roster() -> ResponseReturnValue:
    launch, token = current_launch()
    context_id = course_staff_only(launch)
    sync_roster_now(
        services().engine,
        platform_id=launch.platform_id,
        context_id=context_id,
        now=datetime.now(UTC),
    )
    return redirect(url_for("courses.show_roster", ls=token, requested="1"), code=303)
