"""Staff keep a course's rubrics for reuse: save an activity's rubric, read or remove one."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.peer_review import rubric_library
from lti_tool.web.context import services
from lti_tool.web.peer_review_views import _now, _open, peer_review


@peer_review.route("/app/peer-review/<int:activity_id>/rubrics", methods=["GET", "POST"])
def rubrics(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    context_id = opened.activity.context_id
    if request.method == "POST":
        with services().engine.begin() as connection:
            if request.form.get("remove"):
                try:
                    rubric_id = int(request.form["remove"])
                except ValueError:
                    rubric_id = 0
                rubric_library.remove(connection, context_id=context_id, rubric_id=rubric_id)
            else:
                rubric_library.save(
                    connection,
                    context_id=context_id,
                    title=request.form.get("title", ""),
                    rubric=opened.settings.rubric,
                    by=opened.launch.user_id,
                    now=_now(),
                )
        return redirect(
            url_for("peer_review.rubrics", activity_id=activity_id, ls=opened.token, saved=1),
            code=303,
        )
    with services().engine.connect() as connection:
        saved = rubric_library.library(connection, context_id)
    return render_template(
        "peer_review/rubrics.html",
        token=opened.token,
        activity=opened.activity,
        saved=saved,
        done=request.args.get("saved") == "1",
    )
