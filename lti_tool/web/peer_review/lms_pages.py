"""The pages the LMS opens for a peer review activity: its launch page, and one learner's
work for staff from the gradebook (an ``LtiSubmissionReviewRequest``)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from lti_tool.domain.peer_review.settings import settings_from_dict
from lti_tool.peer_review import grading, reviews, submissions
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
    learner = request_.learner_id
    with services().engine.connect() as connection:
        submission_id = (
            submissions.submission_of(connection, activity.id, learner) if learner else None
        )
        work = submissions.latest_work(connection, submission_id) if submission_id else None
        received = (
            reviews.received(connection, submission_id=submission_id) if submission_id else []
        )
        given = (
            reviews.assignments(connection, activity_id=activity.id, reviewer_id=learner)
            if learner
            else []
        )
        grade = grading.released_grade(connection, activity, settings, learner) if learner else None
        if learner and grade is None:
            # Before release staff see the provisional grade, computed for this view.
            grade = grading.compute_grades(connection, activity, settings).get(learner)
    return render_template(
        "peer_review/submission_review.html",
        token=request_.token,
        activity=activity,
        settings=settings,
        learner_name=request_.learner_name,
        work=work,
        received=received,
        given=given,
        grade=grade,
        show_names=True,
    )


PAGES = KindPages(launch=launch_page, submission_review=submission_review_page)
