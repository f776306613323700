"""The staff dashboard of a peer review activity (the activity page, for staff). It also
carries the forms of the staff tools (:mod:`.allocating`, :mod:`.grading`,
:mod:`.moderation`) and links to :mod:`.settings`."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from lti_tool.domain.peer_review.grade_model import GradeComponent
from lti_tool.domain.peer_review.settings import GradeLines
from lti_tool.peer_review.dashboard import dashboard
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.peer_review.context import Opened, now
from lti_tool.web.peer_review.forms import PageArgs

# What the dashboard says after a staff tool sent the teacher back to it.
NOTICES = {
    "flag-upheld": "Flag upheld: the review is hidden and no longer counts.",
    "flag-dismissed": "Flag dismissed: the review counts again.",
    "override-set": "Grade override saved.",
    "override-removed": "Grade override removed: the computed grade applies again.",
    "reviewer-added": "Reviewer added.",
    "reviewer-removed": "Reviewer removed.",
    "reviewers-swapped": "Reviewers swapped.",
    "settings-saved": "Settings saved.",
    "settings-unchanged": "Nothing in the settings changed.",
    "settings-saved-lms-not": (
        "Settings saved, but the LMS did not take the new title or points for its "
        "gradebook column: change the column in the LMS too."
    ),
}


def render_dashboard(opened: Opened) -> ResponseReturnValue:
    found = dashboard(
        services().engine, activity=opened.activity, settings=opened.settings, now=now()
    )
    return render_template(
        "peer_review/dashboard.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        data=found.data,
        chart=found.chart,
        criteria=found.criteria,
        learners=found.learners,
        calibrated=found.calibrated,
        components=[
            component.value
            for component in GradeComponent
            if component is not GradeComponent.FINAL
            or opened.settings.grade_lines is GradeLines.COMBINED
        ],
        notice=NOTICES.get(load(PageArgs(), request.args)["notice"]),
    )
