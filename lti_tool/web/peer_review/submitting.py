"""A learner hands in work (text, a link, files): one ``submit_work`` operation."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import Forbidden
from lti_tool.file_store import FileStore
from lti_tool.peer_review.submitting import FileSent, submit_work
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import now, open_activity, recorder
from lti_tool.web.peer_review.forms import SubmissionForm


def submit(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id)
    if opened.launch.is_staff:
        raise Forbidden("Staff do not submit work here.", code="staff_submission")
    form = load(SubmissionForm())
    svc = services()
    receipt = submit_work(
        svc.engine,
        FileStore(svc.settings.files_dir),
        activity=opened.activity,
        settings=opened.settings,
        author_id=opened.launch.user_id,
        markdown=form["text"],
        link=form["link"],
        files=[
            FileSent(item.stream, item.filename or "") for item in request.files.getlist("files")
        ],
        now=now(),
        recorder=recorder(),
    )
    return redirect(
        url_for(
            "peer_review.activity_page",
            activity_id=activity_id,
            ls=opened.token,
            submitted=receipt.version,
        ),
        code=303,
    )
