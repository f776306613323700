"""Staff tools of a peer review activity: decide flags, override grades, edit who reviews
what. Each view opens the activity as staff (a learner gets 403, another course's
session 404), parses its form, calls one operation in one transaction and goes back to
the dashboard (303) with a notice."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.peer_review.grade_model import GradeComponent
from lti_tool.peer_review import manual_allocation, moderation, overrides
from lti_tool.web.context import services
from lti_tool.web.peer_review_staff import people_of
from lti_tool.web.peer_review_views import Opened, _now, _open, recorder

staff_tools = Blueprint("peer_review_staff_tools", __name__)
BASE = "/app/peer-review/<int:activity_id>"


class FormInvalid(BadRequest):
    code = "form_invalid"
    status = 422
    title = "That form was not filled in correctly"
    advice = "Nothing was changed. Go back, correct the form and send it again."


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE  # the launch session field travels with every form


class FlagDecisionForm(_Form):
    decision = fields.Enum(moderation.Decision, by_value=True, required=True)


class OverrideForm(_Form):
    learner = fields.Integer(required=True)
    component = fields.Enum(GradeComponent, by_value=True, required=True)
    value = fields.Float(required=True, allow_nan=False)
    reason = fields.String(required=True, validate=validate.Length(min=1))


class OverrideRemovalForm(_Form):
    learner = fields.Integer(required=True)
    component = fields.Enum(GradeComponent, by_value=True, required=True)


class AddReviewerForm(_Form):
    submission = fields.Integer(required=True)
    reviewer = fields.Integer(required=True)
    allow_group_override = fields.Boolean(load_default=False)


class SwapForm(_Form):
    first = fields.Integer(required=True)
    second = fields.Integer(required=True)
    allow_group_override = fields.Boolean(load_default=False)


def _form(schema: Schema) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load(request.form)
    except ValidationError as error:
        problems = "; ".join(
            f"{name}: {' '.join(map(str, messages))}"
            for name, messages in sorted(error.normalized_messages().items())
        )
        raise FormInvalid(f"Check these fields: {problems}.") from None
    return loaded


def _back(opened: Opened, notice: str) -> ResponseReturnValue:
    return redirect(
        url_for(
            "peer_review.activity_page",
            activity_id=opened.activity.id,
            ls=opened.token,
            notice=notice,
        ),
        code=303,
    )


@staff_tools.post(f"{BASE}/flags/<int:assessment_id>")
def decide_flag(activity_id: int, assessment_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    form = _form(FlagDecisionForm())
    with services().engine.begin() as connection:
        moderation.decide_flag(
            connection,
            activity=opened.activity,
            settings=opened.settings,
            assessment_id=assessment_id,
            decision=form["decision"],
            staff_id=opened.launch.user_id,
            now=_now(),
            recorder=recorder(),
        )
    upheld = form["decision"] is moderation.Decision.UPHOLD
    return _back(opened, "flag-upheld" if upheld else "flag-dismissed")


@staff_tools.post(f"{BASE}/overrides")
def set_override(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    form = _form(OverrideForm())
    with services().engine.begin() as connection:
        overrides.set_override(
            connection,
            activity=opened.activity,
            settings=opened.settings,
            learner_id=form["learner"],
            component=form["component"],
            value=form["value"],
            reason=form["reason"],
            staff_id=opened.launch.user_id,
            now=_now(),
            recorder=recorder(),
        )
    return _back(opened, "override-set")


@staff_tools.post(f"{BASE}/overrides/remove")
def remove_override(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    form = _form(OverrideRemovalForm())
    with services().engine.begin() as connection:
        overrides.remove_override(
            connection,
            activity=opened.activity,
            settings=opened.settings,
            learner_id=form["learner"],
            component=form["component"],
            staff_id=opened.launch.user_id,
            now=_now(),
            recorder=recorder(),
        )
    return _back(opened, "override-removed")


def _edit(opened: Opened, *, allow_group_override: bool = False) -> manual_allocation.StaffEdit:
    with services().engine.connect() as connection:
        people = people_of(connection, opened.activity.context_id)
    return manual_allocation.StaffEdit(
        activity=opened.activity,
        settings=opened.settings,
        staff_id=opened.launch.user_id,
        names={person: found["name"] for person, found in people.items()},
        now=_now(),
        allow_group_override=allow_group_override,
        recorder=recorder(),
    )


@staff_tools.post(f"{BASE}/allocations")
def add_reviewer(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    form = _form(AddReviewerForm())
    edit = _edit(opened, allow_group_override=form["allow_group_override"])
    with services().engine.begin() as connection:
        manual_allocation.add_reviewer(
            connection, edit, submission_id=form["submission"], reviewer_id=form["reviewer"]
        )
    return _back(opened, "reviewer-added")


@staff_tools.post(f"{BASE}/allocations/<int:allocation_id>/remove")
def remove_allocation(activity_id: int, allocation_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    edit = _edit(opened)
    with services().engine.begin() as connection:
        manual_allocation.remove_allocation(connection, edit, allocation_id=allocation_id)
    return _back(opened, "reviewer-removed")


@staff_tools.post(f"{BASE}/allocations/swap")
def swap_reviewers(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    form = _form(SwapForm())
    edit = _edit(opened, allow_group_override=form["allow_group_override"])
    with services().engine.begin() as connection:
        manual_allocation.swap_reviewers(
            connection, edit, first_id=form["first"], second_id=form["second"]
        )
    return _back(opened, "reviewers-swapped")
