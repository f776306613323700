"""The activity page: learners see their own page, staff the dashboard."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from lti_tool.web.peer_review.context import Opened, open_activity
from lti_tool.web.peer_review.dashboard import render_dashboard
from lti_tool.web.peer_review.learner import render_learner_page


def render_activity(opened: Opened) -> ResponseReturnValue:
    if opened.launch.is_staff:
        return render_dashboard(opened)
    return render_learner_page(opened)


def activity_page(activity_id: int) -> ResponseReturnValue:
    return render_activity(open_activity(activity_id))
