"""Continuous queue pages: a reviewer asks for the next piece of work; one who did their
reviews offers to review more near the deadline."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.peer_review import queue
from lti_tool.peer_review import reassign as reassignments
from lti_tool.web.context import services
from lti_tool.web.peer_review_views import _now, _open, peer_review, recorder, require_calibrated


@peer_review.post("/app/peer-review/<int:activity_id>/next")
def take_next(activity_id: int) -> ResponseReturnValue:
    """Continuous queue: lease the submission that needs a review most."""
    opened = _open(activity_id, learner=True)
    require_calibrated(opened)
    with services().engine.begin() as connection:
        allocation_id = queue.take_next(
            connection,
            activity=opened.activity,
            settings=opened.settings,
            reviewer_id=opened.launch.user_id,
            now=_now(),
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


@peer_review.post("/app/peer-review/<int:activity_id>/volunteer")
def offer_to_review(activity_id: int) -> ResponseReturnValue:
    """A learner who finished their reviews offers (or stops offering) to review more."""
    opened = _open(activity_id, learner=True)
    with services().engine.begin() as connection:
        reassignments.volunteer(
            connection,
            activity=opened.activity,
            user_id=opened.launch.user_id,
            offer=request.form.get("offer") == "1",
            k=opened.settings.reviews_per_submission,
            now=_now(),
        )
    return redirect(
        url_for("peer_review.activity_page", activity_id=activity_id, ls=opened.token), code=303
    )
