"""A learner's activity page: their work, what they review, the feedback and the grade."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from lti_tool.domain.files import FILE_TYPES
from lti_tool.peer_review.learner_pages import learner_page
from lti_tool.peer_review.submitting import accepted_files
from lti_tool.web.context import services
from lti_tool.web.peer_review.context import Opened, now, submission_window


def render_learner_page(opened: Opened) -> ResponseReturnValue:
    page = learner_page(
        services().engine,
        activity=opened.activity,
        settings=opened.settings,
        learner_id=opened.launch.user_id,
    )
    return render_template(
        "peer_review/learner.html",
        author_names=page.author_names,
        reviewer_names=page.reviewer_names,
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        work=page.work,
        todo=page.todo,
        feedback=[item for item in page.feedback if not item.hidden],
        grade=page.grade,
        released=page.released,
        window=submission_window(opened),
        now=now(),
        volunteering=page.volunteering,
        calibration_gate=page.calibration_gate,
        file_kinds=[FILE_TYPES[key] for key in accepted_files(opened.settings)],
    )
