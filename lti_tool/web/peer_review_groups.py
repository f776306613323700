"""Staff set the groups of a peer review activity (for its group policy)."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.peer_review import groups
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
        return redirect(
            url_for("peer_review.edit_groups", activity_id=activity_id, ls=opened.token, saved=1),
            code=303,
        )
    with svc.engine.connect() as connection:
        people = people_of(connection, opened.activity.context_id)
        current = groups.groups_of(connection, activity_id)
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
        saved=request.args.get("saved") == "1",
    )
