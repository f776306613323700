"""Staff set the groups of a peer review activity (for its group policy), by hand or
from the LMS."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.peer_review import group_edits, lms_groups
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import now, open_activity
from lti_tool.web.peer_review.forms import GroupsForm, LmsGroupsForm, PageArgs


def edit_groups(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    context_id = opened.activity.context_id
    if request.method == "POST":
        form = load(GroupsForm())
        group_edits.save_groups(
            services().engine, activity_id=activity_id, context_id=context_id, chosen=form["chosen"]
        )
        return redirect(
            url_for("peer_review.edit_groups", activity_id=activity_id, ls=opened.token, saved=1),
            code=303,
        )
    page = group_edits.groups_page(
        services().engine, activity_id=activity_id, context_id=context_id
    )
    args = load(PageArgs(), request.args)
    return render_template(
        "peer_review/groups.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        learners=page.learners,
        current=page.current,
        sources=page.sources,
        lms_choice=lms_groups.choice_of(opened.activity.settings),
        offered_sets=page.offered_sets,
        has_groups_service=page.has_groups_service,
        groups_synced_at=page.groups_synced_at,
        saved=args["saved"] == "1",
        lms_saved=args["lms"],
    )


def use_lms_groups(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    form = load(LmsGroupsForm())
    group_edits.choose_lms_groups(
        services().engine,
        activity_id=activity_id,
        context_id=opened.activity.context_id,
        platform_id=opened.launch.platform_id,
        staff_id=opened.launch.user_id,
        use=form["use"],
        set_lms_id=form["set_lms_id"],
        now=now(),
    )
    return redirect(
        url_for(
            "peer_review.edit_groups",
            activity_id=activity_id,
            ls=opened.token,
            lms="on" if form["use"] else "off",
        ),
        code=303,
    )
