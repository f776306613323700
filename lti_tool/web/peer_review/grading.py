"""Staff release the grades, and override (or stop overriding) a learner's grade."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from lti_tool.lti.ags import AgsClient
from lti_tool.peer_review import running
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import back_to_activity, now, open_activity, recorder
from lti_tool.web.peer_review.forms import OverrideForm, OverrideRemovalForm


def release_now(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    svc = services()
    running.release_grades(
        svc.engine,
        activity=opened.activity,
        settings=opened.settings,
        ags=AgsClient(svc.service_tokens, http=svc.http),
        registrations=svc.registrations,
        now=now(),
        recorder=recorder(),
    )
    return back_to_activity(opened)


def set_override(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    form = load(OverrideForm())
    running.set_override(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        learner_id=form["learner"],
        component=form["component"],
        value=form["value"],
        reason=form["reason"],
        staff_id=opened.launch.user_id,
        now=now(),
        recorder=recorder(),
    )
    return back_to_activity(opened, notice="override-set")


def remove_override(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    form = load(OverrideRemovalForm())
    running.remove_override(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        learner_id=form["learner"],
        component=form["component"],
        staff_id=opened.launch.user_id,
        now=now(),
        recorder=recorder(),
    )
    return back_to_activity(opened, notice="override-removed")
