"""Continuous queue: a reviewer asks for the next piece of work; one who did their reviews
offers to review more near the deadline."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.peer_review.reviewing import offer_to_review as offer
from lti_tool.peer_review.reviewing import take_next_review
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import now, open_activity, recorder, require_calibrated
from lti_tool.web.peer_review.forms import VolunteerForm


def take_next(activity_id: int) -> ResponseReturnValue:
    """Continuous queue: lease the submission that needs a review most."""
    opened = open_activity(activity_id, learner=True)
    require_calibrated(opened)
    allocation_id = take_next_review(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        reviewer_id=opened.launch.user_id,
        now=now(),
        recorder=recorder(),
    )
    if allocation_id is None:
        return redirect(
            url_for("peer_review.activity_page", activity_id=activity_id, ls=opened.token, empty=1),
            code=303,
        )
    return redirect(
        url_for(
            "peer_review.review",
            activity_id=activity_id,
            allocation_id=allocation_id,
            ls=opened.token,
        ),
        code=303,
    )


def offer_to_review(activity_id: int) -> ResponseReturnValue:
    """A learner who finished their reviews offers (or stops offering) to review more."""
    opened = open_activity(activity_id, learner=True)
    form = load(VolunteerForm())
    offer(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        user_id=opened.launch.user_id,
        offer=form["offer"],
        now=now(),
    )
    return redirect(
        url_for("peer_review.activity_page", activity_id=activity_id, ls=opened.token), code=303
    )
