"""The pages the LMS opens for a peer review activity: its launch page, and one learner's
work for staff from the gradebook (an ``LtiSubmissionReviewRequest``)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from lti_tool.domain.peer_review.settings import settings_from_dict
from lti_tool.peer_review.learner_pages import learner_record
from lti_tool.web.context import services
from lti_tool.web.kind_pages import ActivityLaunch, KindPages, SubmissionReview
from lti_tool.web.peer_review.activity import render_activity
from lti_tool.web.peer_review.context import opened_from


def launch_page(launched: ActivityLaunch) -> ResponseReturnValue:
    return render_activity(opened_from(launched.launch, launched.token, launched.activity))


def submission_review_page(request_: SubmissionReview) -> ResponseReturnValue:
    """From the LMS gradebook: one learner's work, the reviews received and given, and
    the grade breakdown, for staff (the launch already refused anyone else)."""
    activity = request_.activity
    settings = settings_from_dict(activity.settings)
    record = learner_record(
        services().engine, activity=activity, settings=settings, learner_id=request_.learner_id
    )
    return render_template(
        "peer_review/submission_review.html",
        token=request_.token,
        activity=activity,
        settings=settings,
        learner_name=request_.learner_name,
        work=record.work,
        received=record.received,
        given=record.given,
        grade=record.grade,
        show_names=True,
    )


PAGES = KindPages(launch=launch_page, submission_review=submission_review_page)
