"""Learners assess the teacher's examples before reviewing, then compare with the
teacher's assessment. The gate itself is enforced where reviews open
(:func:`lti_tool.peer_review.calibration_attempts.require_calibrated`); its refusal is
rendered here with a way to the calibration page. Staff get 403 (they keep the examples).
"""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import NotFound
from lti_tool.peer_review import calibrating
from lti_tool.peer_review.calibration_attempts import CalibrationRequired
from lti_tool.peer_review.reviews import AssessmentInvalid
from lti_tool.web.context import current_launch, services
from lti_tool.web.errors import render_error, wants_json
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import now, open_calibration, recorder
from lti_tool.web.peer_review.forms import PageArgs, rubric_answers


def calibration_required(error: CalibrationRequired) -> Response:
    """The gate's refusal: a 403 page that leads to the examples to assess."""
    if wants_json():
        return render_error(
            status=error.status,
            code=error.code,
            title=error.title,
            detail=error.detail,
            advice=error.advice,
        )
    activity_id = (request.view_args or {}).get("activity_id")
    _launch, token = current_launch()
    page = render_template(
        "peer_review/calibration_required.html",
        detail=error.detail,
        calibrate_url=url_for("peer_review.calibrate", activity_id=activity_id, ls=token),
        back_url=url_for("peer_review.activity_page", activity_id=activity_id, ls=token),
        token=token,
    )
    return Response(page, status=error.status, mimetype="text/html")


def calibrate(activity_id: int) -> ResponseReturnValue:
    """Learners: the teacher's examples to assess, and how they did on those assessed."""
    opened = open_calibration(activity_id)
    found = calibrating.learner_calibration(
        services().engine,
        activity_id=activity_id,
        settings=opened.settings,
        learner_id=opened.launch.user_id,
        now=now(),
    )
    return render_template(
        "peer_review/calibration.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        gate=found.gate,
        items=found.items,
        accuracy=found.accuracy,
        still_open=found.still_open,
    )


def calibration_attempt(activity_id: int, example_id: int) -> ResponseReturnValue:
    """Learners: assess one example (final on submit), then compare with the teacher."""
    opened = open_calibration(activity_id)
    engine = services().engine
    learner = opened.launch.user_id
    errors: dict[str | None, str] = {}
    if request.method == "POST":
        levels, comments = rubric_answers()
        try:
            calibrating.submit_attempt(
                engine,
                activity=opened.activity,
                settings=opened.settings,
                learner_id=learner,
                example_id=example_id,
                levels=levels,
                comments=comments,
                now=now(),
                recorder=recorder(),
            )
        except AssessmentInvalid as invalid:
            errors = invalid.problems
        else:
            return redirect(
                url_for(
                    "peer_review.calibration_attempt",
                    activity_id=activity_id,
                    example_id=example_id,
                    ls=opened.token,
                    submitted=1,
                ),
                code=303,
            )
    found = calibrating.learner_calibration(
        engine, activity_id=activity_id, settings=opened.settings, learner_id=learner, now=now()
    )
    item = next((each for each in found.items if each.example.id == example_id), None)
    if item is None:  # not ready examples are unfinished: as good as absent
        raise NotFound("There is no such calibration example here.", code="example_not_found")
    page = render_template(
        "peer_review/calibration_attempt.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        item=item,
        gate=found.gate,
        accuracy=found.accuracy,
        still_open=found.still_open,
        errors=errors,
        form=request.form if errors else None,
        submitted=load(PageArgs(), request.args)["submitted"] == "1",
    )
    return page, 422 if errors else 200
