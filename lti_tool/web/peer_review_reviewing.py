"""Peer review pages for reviewing: a learner reviews allocated work with the rubric
(drafts until submitted) and rates the helpfulness of the reviews they received."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import BadRequest
from lti_tool.peer_review import grading, identities, reviews, submissions
from lti_tool.web.context import services
from lti_tool.web.peer_review_views import (
    _now,
    _open,
    _reviews_open,
    _rubric_form,
    peer_review,
    recorder,
    require_calibrated,
)


@peer_review.route(
    "/app/peer-review/<int:activity_id>/reviews/<int:allocation_id>", methods=["GET", "POST"]
)
def review(activity_id: int, allocation_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, learner=True)
    require_calibrated(opened)
    reviewer = opened.launch.user_id
    errors: dict[Any, str] = {}
    status = 200
    svc = services()
    if request.method == "POST":
        chosen, comments = _rubric_form()
        try:
            with svc.engine.begin() as connection:
                reviews.save_assessment(
                    connection,
                    activity_id=activity_id,
                    reviewer_id=reviewer,
                    allocation_id=allocation_id,
                    rubric=opened.settings.rubric,
                    chosen=chosen,
                    comments=comments,
                    overall=request.form.get("overall") or None,
                    final=request.form.get("action") == "submit",
                    now=_now(),
                    reviews_open=_reviews_open(opened.settings, _now()),
                    recorder=recorder(),
                )
                if request.form.get("action") == "submit":
                    # A review finished after release changes its author's grade (and,
                    # graded by accuracy, others'): send whatever moved.
                    grading.republish(
                        connection,
                        activity=opened.activity,
                        settings=opened.settings,
                        learner_ids=set(),
                        now=_now(),
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
    with svc.engine.connect() as connection:
        task = reviews.assignment(
            connection, activity_id=activity_id, reviewer_id=reviewer, allocation_id=allocation_id
        )
        work = submissions.latest_work(connection, task.submission_id)
        author = (
            None
            if task.kind == "self"
            else identities.author_names(
                connection, opened.settings.anonymity, [task.submission_id]
            ).get(task.submission_id)
        )
    page = render_template(
        "peer_review/review.html",
        author_name=author,
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        task=task,
        work=work,
        errors=errors,
        form=request.form if request.method == "POST" else None,
        saved=request.args.get("saved") == "1",
    )
    return page, status


@peer_review.post("/app/peer-review/<int:activity_id>/received/<int:assessment_id>")
def rate_review(activity_id: int, assessment_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, learner=True)
    raw = request.form.get("helpfulness", "")
    try:
        helpfulness = int(raw) if raw else None
    except ValueError:
        raise BadRequest("Rate a review from 1 to 5.", code="rating_range") from None
    with services().engine.begin() as connection:
        reviews.rate(
            connection,
            author_id=opened.launch.user_id,
            activity_id=activity_id,
            assessment_id=assessment_id,
            helpfulness=helpfulness,
            flag_reason=request.form.get("flag_reason", "").strip() or None,
            now=_now(),
            recorder=recorder(),
        )
        flagged = bool(request.form.get("flag_reason", "").strip())
        if flagged or opened.settings.helpfulness_weight > 0:
            # An open flag puts the author's released grade back to PendingManual; with
            # a helpfulness share, a rating moves the reviewer's grade: send what moved.
            grading.republish(
                connection,
                activity=opened.activity,
                settings=opened.settings,
                learner_ids={opened.launch.user_id} if flagged else set(),
                now=_now(),
                recorder=recorder(),
            )
    return redirect(
        url_for("peer_review.activity_page", activity_id=activity_id, ls=opened.token, rated=1),
        code=303,
    )
