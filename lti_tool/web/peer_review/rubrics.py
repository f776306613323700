"""Staff keep a course's rubrics for reuse: save an activity's rubric, read or remove one."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.peer_review import rubric_library
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import now, open_activity
from lti_tool.web.peer_review.forms import PageArgs, RubricLibraryForm


def rubrics(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    context_id = opened.activity.context_id
    engine = services().engine
    if request.method == "POST":
        form = load(RubricLibraryForm())
        if form["remove"] is not None:
            rubric_library.remove_from_library(
                engine, context_id=context_id, rubric_id=form["remove"]
            )
        else:
            rubric_library.save_to_library(
                engine,
                context_id=context_id,
                title=form["title"],
                rubric=opened.settings.rubric,
                by=opened.launch.user_id,
                now=now(),
            )
        return redirect(
            url_for("peer_review.rubrics", activity_id=activity_id, ls=opened.token, saved=1),
            code=303,
        )
    return render_template(
        "peer_review/rubrics.html",
        token=opened.token,
        activity=opened.activity,
        saved=rubric_library.library_of(engine, context_id),
        done=load(PageArgs(), request.args)["saved"] == "1",
    )
