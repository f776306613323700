"""Staff decide who reviews what: allocate now, add or remove a reviewer, swap two."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from lti_tool.peer_review import running
from lti_tool.peer_review.manual_allocation import StaffEdit
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import (
    Opened,
    back_to_activity,
    now,
    open_activity,
    recorder,
)
from lti_tool.web.peer_review.forms import AddReviewerForm, SwapForm


def allocate_now(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    running.allocate_reviews(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        now=now(),
        recorder=recorder(),
    )
    return back_to_activity(opened)


def _edit(opened: Opened, *, allow_group_override: bool = False) -> StaffEdit:
    return running.staff_edit(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        staff_id=opened.launch.user_id,
        now=now(),
        recorder=recorder(),
        allow_group_override=allow_group_override,
    )


def add_reviewer(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    form = load(AddReviewerForm())
    running.add_reviewer(
        services().engine,
        _edit(opened, allow_group_override=form["allow_group_override"]),
        submission_id=form["submission"],
        reviewer_id=form["reviewer"],
    )
    return back_to_activity(opened, notice="reviewer-added")


def remove_allocation(activity_id: int, allocation_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    running.remove_allocation(services().engine, _edit(opened), allocation_id=allocation_id)
    return back_to_activity(opened, notice="reviewer-removed")


def swap_reviewers(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    form = load(SwapForm())
    running.swap_reviewers(
        services().engine,
        _edit(opened, allow_group_override=form["allow_group_override"]),
        first_id=form["first"],
        second_id=form["second"],
    )
    return back_to_activity(opened, notice="reviewers-swapped")
