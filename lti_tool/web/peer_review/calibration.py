"""Staff keep the calibration examples: add one, change its wording, assess it with the
rubric, move or remove it. Learners are refused (403), other courses 404."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.peer_review import calibrating
from lti_tool.peer_review.calibration import ExampleInvalid
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import Opened, now, open_activity
from lti_tool.web.peer_review.forms import ExampleForm, MoveForm, PageArgs, rubric_answers

STAFF_NOTICES = {
    "added": "Example added. Assess it with the rubric so learners can use it.",
    "saved": "Example saved.",
    "assessed": "Your assessment is saved: learners can use this example.",
    "removed": "Example removed.",
    "moved": "Order changed.",
}


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


def calibration_examples(activity_id: int) -> ResponseReturnValue:
    """Staff: the examples in order, and a form to add one."""
    opened = open_activity(activity_id, staff=True)
    engine = services().engine
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = load(ExampleForm())
        try:
            example_id = calibrating.add_example(
                engine,
                activity_id=activity_id,
                title=form["title"],
                markdown=form["text"],
                link_url=form["link_url"],
                by=opened.launch.user_id,
                now=now(),
            )
        except ExampleInvalid as invalid:
            errors = dict(invalid.problems)
        else:
            return _staff_back(opened, "added", example_id)
    page = render_template(
        "peer_review/calibration_examples.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        examples=calibrating.examples_of(engine, activity_id, opened.settings.rubric),
        errors=errors,
        form=request.form if errors else None,
        notice=STAFF_NOTICES.get(load(PageArgs(), request.args)["notice"]),
    )
    return page, 422 if errors else 200


def calibration_example(activity_id: int, example_id: int) -> ResponseReturnValue:
    """Staff: change an example's wording, or assess it with the rubric."""
    opened = open_activity(activity_id, staff=True)
    engine = services().engine
    rubric = opened.settings.rubric
    errors: dict[str, str] = {}
    example = calibrating.example_of(engine, activity_id, example_id, rubric)
    part = None
    if request.method == "POST":
        form = load(ExampleForm())
        part = form["part"]
        try:
            if part == "assessment":
                levels, _comments = rubric_answers()
                calibrating.assess_example(
                    engine,
                    activity_id=activity_id,
                    example=example,
                    rubric=rubric,
                    levels=levels,
                    explanation=form["explanation"],
                    now=now(),
                )
            else:
                calibrating.word_example(
                    engine,
                    activity_id=activity_id,
                    example=example,
                    title=form["title"],
                    markdown=form["text"],
                    link_url=form["link_url"],
                    now=now(),
                )
        except ExampleInvalid as invalid:
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
        part=part if errors else None,
        form=request.form if errors else None,
        notice=STAFF_NOTICES.get(load(PageArgs(), request.args)["notice"]),
    )
    return page, 422 if errors else 200


def remove_calibration_example(activity_id: int, example_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    calibrating.remove_example(
        services().engine,
        activity_id=activity_id,
        example_id=example_id,
        rubric=opened.settings.rubric,
    )
    return _staff_back(opened, "removed")


def move_calibration_example(activity_id: int, example_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    form = load(MoveForm())
    calibrating.move_example(
        services().engine, activity_id=activity_id, example_id=example_id, up=form["up"]
    )
    return _staff_back(opened, "moved")
