"""A learner reviews allocated work with the rubric (drafts until submitted) and rates
the helpfulness of the reviews they received."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.peer_review import reviews
from lti_tool.peer_review.learner_pages import review_task
from lti_tool.peer_review.reviewing import rate_review as rate
from lti_tool.peer_review.reviewing import save_review
from lti_tool.web.context import services
from lti_tool.web.forms import load, load_or
from lti_tool.web.peer_review.context import now, open_activity, recorder, require_calibrated
from lti_tool.web.peer_review.forms import (
    RATING_REFUSED,
    PageArgs,
    RatingForm,
    ReviewForm,
    rubric_answers,
)


def review(activity_id: int, allocation_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, learner=True)
    require_calibrated(opened)
    reviewer = opened.launch.user_id
    errors: dict[Any, str] = {}
    status = 200
    svc = services()
    if request.method == "POST":
        chosen, comments = rubric_answers()
        form = load(ReviewForm())
        try:
            save_review(
                svc.engine,
                activity=opened.activity,
                settings=opened.settings,
                reviewer_id=reviewer,
                allocation_id=allocation_id,
                chosen=chosen,
                comments=comments,
                overall=form["overall"],
                final=form["final"],
                now=now(),
                recorder=recorder(),
            )
        except reviews.AssessmentInvalid as invalid:
            errors, status = invalid.problems, 422
        else:
            return redirect(
                url_for(
                    "peer_review.review",
                    activity_id=activity_id,
                    allocation_id=allocation_id,
                    ls=opened.token,
                    saved=1,
                ),
                code=303,
            )
    found = review_task(
        svc.engine,
        activity_id=activity_id,
        settings=opened.settings,
        reviewer_id=reviewer,
        allocation_id=allocation_id,
    )
    page = render_template(
        "peer_review/review.html",
        author_name=found.author_name,
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        task=found.task,
        work=found.work,
        errors=errors,
        form=request.form if request.method == "POST" else None,
        saved=load(PageArgs(), request.args)["saved"] == "1",
    )
    return page, status


def rate_review(activity_id: int, assessment_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, learner=True)
    form = load_or(RatingForm(), RATING_REFUSED)
    rate(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        author_id=opened.launch.user_id,
        assessment_id=assessment_id,
        helpfulness=form["helpfulness"],
        flag_reason=form["flag_reason"],
        now=now(),
        recorder=recorder(),
    )
    return redirect(
        url_for("peer_review.activity_page", activity_id=activity_id, ls=opened.token, rated=1),
        code=303,
    )
