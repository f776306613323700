"""Calibration pages: staff keep and assess the examples; learners assess them before
reviewing and then compare with the teacher's assessment.

Staff pages refuse learners (403); learner pages refuse staff (403); both answer 404 to
anyone from another course (through ``_open``). The gate itself is enforced where reviews
open (:func:`lti_tool.peer_review.calibration_attempts.require_calibrated`); its refusal
is rendered here with a way to the calibration page.
"""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import Forbidden, NotFound
from lti_tool.peer_review import calibration, calibration_attempts
from lti_tool.peer_review.calibration_attempts import CalibrationRequired
from lti_tool.peer_review.reviews import AssessmentInvalid
from lti_tool.rich_text import is_blank, sanitise
from lti_tool.web.context import current_launch, services
from lti_tool.web.errors import render_error, wants_json
from lti_tool.web.peer_review_views import (
    _MARKDOWN,
    Opened,
    _now,
    _open,
    _rubric_form,
    peer_review,
    recorder,
)

STAFF_NOTICES = {
    "added": "Example added. Assess it with the rubric so learners can use it.",
    "saved": "Example saved.",
    "assessed": "Your assessment is saved: learners can use this example.",
    "removed": "Example removed.",
    "moved": "Order changed.",
}


@peer_review.errorhandler(CalibrationRequired)
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


def _markdown_html(text: str) -> str | None:
    html = sanitise(_MARKDOWN.render(text)) if text.strip() else ""
    return None if not html or is_blank(html) else html


def _staff_back(opened: Opened, notice: str, example_id: int | None = None) -> ResponseReturnValue:
    if example_id is None:
        target = url_for(
            "peer_review.calibration_examples",
            activity_id=opened.activity.id,
            ls=opened.token,
            notice=notice,
        )
    else:
        target = url_for(
            "peer_review.calibration_example",
            activity_id=opened.activity.id,
            example_id=example_id,
            ls=opened.token,
            notice=notice,
        )
    return redirect(target, code=303)


@peer_review.route(
    "/app/peer-review/<int:activity_id>/calibration/examples", methods=["GET", "POST"]
)
def calibration_examples(activity_id: int) -> ResponseReturnValue:
    """Staff: the examples in order, and a form to add one."""
    opened = _open(activity_id, staff=True)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            with services().engine.begin() as connection:
                example_id = calibration.add_example(
                    connection,
                    activity_id=activity_id,
                    title=request.form.get("title", ""),
                    text_html=_markdown_html(request.form.get("text", "")),
                    link_url=request.form.get("link_url", "").strip() or None,
                    by=opened.launch.user_id,
                    now=_now(),
                )
        except calibration.ExampleInvalid as invalid:
            errors = dict(invalid.problems)
        else:
            return _staff_back(opened, "added", example_id)
    with services().engine.connect() as connection:
        found = calibration.examples(connection, activity_id, opened.settings.rubric)
    page = render_template(
        "peer_review/calibration_examples.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        examples=found,
        errors=errors,
        form=request.form if errors else None,
        notice=STAFF_NOTICES.get(request.args.get("notice", "")),
    )
    return page, 422 if errors else 200


@peer_review.route(
    "/app/peer-review/<int:activity_id>/calibration/examples/<int:example_id>",
    methods=["GET", "POST"],
)
def calibration_example(activity_id: int, example_id: int) -> ResponseReturnValue:
    """Staff: change an example's wording, or assess it with the rubric."""
    opened = _open(activity_id, staff=True)
    rubric = opened.settings.rubric
    errors: dict[str, str] = {}
    with services().engine.connect() as connection:
        example = calibration.example(connection, activity_id, example_id, rubric)
    if request.method == "POST":
        part = request.form.get("part")
        try:
            with services().engine.begin() as connection:
                if part == "assessment":
                    levels, _comments = _rubric_form()
                    calibration.assess_example(
                        connection,
                        activity_id=activity_id,
                        example=example,
                        rubric=rubric,
                        levels=levels,
                        explanation=request.form.get("explanation", ""),
                        now=_now(),
                    )
                else:
                    text = request.form.get("text", "")
                    calibration.edit_wording(
                        connection,
                        activity_id=activity_id,
                        example=example,
                        title=request.form.get("title", ""),
                        text_html=_markdown_html(text) if text.strip() else None,
                        link_url=request.form.get("link_url", "").strip() or None,
                        now=_now(),
                    )
        except calibration.ExampleInvalid as invalid:
            errors = dict(invalid.problems)
        else:
            return _staff_back(opened, "assessed" if part == "assessment" else "saved", example_id)
    page = render_template(
        "peer_review/calibration_example.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        example=example,
        errors=errors,
        part=request.form.get("part") if errors else None,
        form=request.form if errors else None,
        notice=STAFF_NOTICES.get(request.args.get("notice", "")),
    )
    return page, 422 if errors else 200


@peer_review.post("/app/peer-review/<int:activity_id>/calibration/examples/<int:example_id>/remove")
def remove_calibration_example(activity_id: int, example_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    with services().engine.begin() as connection:
        example = calibration.example(connection, activity_id, example_id, opened.settings.rubric)
        calibration.remove_example(connection, activity_id=activity_id, example=example)
    return _staff_back(opened, "removed")


@peer_review.post("/app/peer-review/<int:activity_id>/calibration/examples/<int:example_id>/move")
def move_calibration_example(activity_id: int, example_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    with services().engine.begin() as connection:
        calibration.move_example(
            connection,
            activity_id=activity_id,
            example_id=example_id,
            up=request.form.get("direction") == "up",
        )
    return _staff_back(opened, "moved")


def _open_learner(activity_id: int) -> Opened:
    opened = _open(activity_id)
    if opened.launch.is_staff:
        raise Forbidden(
            "Calibration is for learners; staff keep the examples.", code="staff_calibration"
        )
    if not opened.settings.calibration:
        raise NotFound("This activity has no calibration.", code="calibration_off")
    return opened


@peer_review.get("/app/peer-review/<int:activity_id>/calibration")
def calibrate(activity_id: int) -> ResponseReturnValue:
    """Learners: the teacher's examples to assess, and how they did on those assessed."""
    opened = _open_learner(activity_id)
    learner = opened.launch.user_id
    with services().engine.connect() as connection:
        gate = calibration_attempts.gate(
            connection, activity_id=activity_id, settings=opened.settings, learner_id=learner
        )
        items = calibration_attempts.learner_examples(
            connection, activity_id=activity_id, settings=opened.settings, learner_id=learner
        )
        accuracy = calibration.accuracy_by_learner(connection, activity_id, opened.settings)
        still_open = calibration_attempts.is_open(
            connection, activity_id=activity_id, settings=opened.settings, now=_now()
        )
    return render_template(
        "peer_review/calibration.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        gate=gate,
        items=items,
        accuracy=accuracy.get(learner),
        still_open=still_open,
    )


@peer_review.route(
    "/app/peer-review/<int:activity_id>/calibration/<int:example_id>", methods=["GET", "POST"]
)
def calibration_attempt(activity_id: int, example_id: int) -> ResponseReturnValue:
    """Learners: assess one example (final on submit), then compare with the teacher."""
    opened = _open_learner(activity_id)
    learner = opened.launch.user_id
    errors: dict[str | None, str] = {}
    if request.method == "POST":
        levels, comments = _rubric_form()
        try:
            with services().engine.begin() as connection:
                calibration_attempts.submit_attempt(
                    connection,
                    activity=opened.activity,
                    settings=opened.settings,
                    learner_id=learner,
                    example_id=example_id,
                    levels=levels,
                    comments=comments,
                    now=_now(),
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
    with services().engine.connect() as connection:
        items = calibration_attempts.learner_examples(
            connection, activity_id=activity_id, settings=opened.settings, learner_id=learner
        )
        gate = calibration_attempts.gate(
            connection, activity_id=activity_id, settings=opened.settings, learner_id=learner
        )
        accuracy = calibration.accuracy_by_learner(connection, activity_id, opened.settings)
        still_open = calibration_attempts.is_open(
            connection, activity_id=activity_id, settings=opened.settings, now=_now()
        )
    item = next((found for found in items if found.example.id == example_id), None)
    if item is None:  # not ready examples are unfinished: as good as absent
        raise NotFound("There is no such calibration example here.", code="example_not_found")
    page = render_template(
        "peer_review/calibration_attempt.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        item=item,
        gate=gate,
        accuracy=accuracy.get(learner),
        still_open=still_open,
        errors=errors,
        form=request.form if errors else None,
        submitted=request.args.get("submitted") == "1",
    )
    return page, 422 if errors else 200
