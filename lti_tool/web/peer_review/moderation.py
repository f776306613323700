"""Staff decide a review an author flagged: uphold (hidden) or dismiss (counts again)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from lti_tool.peer_review import running
from lti_tool.peer_review.moderation import Decision
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import back_to_activity, now, open_activity, recorder
from lti_tool.web.peer_review.forms import FlagDecisionForm


def decide_flag(activity_id: int, assessment_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    form = load(FlagDecisionForm())
    running.decide_flag(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        assessment_id=assessment_id,
        decision=form["decision"],
        staff_id=opened.launch.user_id,
        now=now(),
        recorder=recorder(),
    )
    upheld = form["decision"] is Decision.UPHOLD
    return back_to_activity(opened, notice="flag-upheld" if upheld else "flag-dismissed")
