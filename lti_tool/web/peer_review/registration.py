"""Adding peer review to the app: its blueprint, the kind's LMS pages (launch, Submission
Review) and the picker's saved-rubric choices."""

from __future__ import annotations

from flask import Flask

from lti_tool.domain.peer_review.settings_form import SAVED_RUBRICS
from lti_tool.peer_review import rubric_library
from lti_tool.web.kind_choices import register_choice_provider
from lti_tool.web.kind_pages import register_kind_pages
from lti_tool.web.peer_review.blueprint import peer_review
from lti_tool.web.peer_review.context import KIND
from lti_tool.web.peer_review.lms_pages import PAGES


def register_peer_review(app: Flask) -> None:
    """The blueprint, the kind's pages and its picker choices."""
    app.register_blueprint(peer_review)
    register_kind_pages(app, KIND, PAGES)
    register_choice_provider(app, SAVED_RUBRICS, rubric_library.course_choices)
