"""Staff set the groups of a peer review activity (for its group policy)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from lti_tool.peer_review import groups, lms_groups
from lti_tool.persistence.models import Context
from lti_tool.web.context import services
from lti_tool.web.peer_review_staff import people_of
from lti_tool.web.peer_review_views import _open, peer_review


@peer_review.route("/app/peer-review/<int:activity_id>/groups", methods=["GET", "POST"])
def edit_groups(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    svc = services()
    if request.method == "POST":
        chosen = {}
        for name, value in request.form.items():
            if name.startswith("group-"):
                try:
                    chosen[int(name.removeprefix("group-"))] = value
                except ValueError:
                    continue
        with svc.engine.begin() as connection:
            groups.set_groups(
                connection,
                activity_id=activity_id,
                context_id=opened.activity.context_id,
                chosen=chosen,
            )
            lms_groups.refresh(
                connection, activity_id=activity_id, context_id=opened.activity.context_id
            )
        return redirect(
            url_for("peer_review.edit_groups", activity_id=activity_id, ls=opened.token, saved=1),
            code=303,
        )
    with svc.engine.connect() as connection:
        people = people_of(connection, opened.activity.context_id)
        current = groups.groups_of(connection, activity_id)
        sources = lms_groups.sources_of(connection, activity_id)
        offered = lms_groups.offered_sets(connection, opened.activity.context_id)
        service = connection.execute(
            select(Context.groups_url, Context.groups_synced_at).where(
                Context.id == opened.activity.context_id
            )
        ).one()
    learners = sorted(
        ((pid, p["name"]) for pid, p in people.items() if p["role"] == "learner"),
        key=lambda item: item[1],
    )
    return render_template(
        "peer_review/groups.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        learners=learners,
        current=current,
        sources=sources,
        lms_choice=lms_groups.choice_of(opened.activity.settings),
        offered_sets=offered,
        has_groups_service=bool(service.groups_url),
        groups_synced_at=service.groups_synced_at,
        saved=request.args.get("saved") == "1",
        lms_saved=request.args.get("lms"),
    )
