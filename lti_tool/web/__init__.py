"""The web edge: blueprints, per-request database session, errors, security headers."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

from lti_tool.domain.peer_review.settings_form import SAVED_RUBRICS
from lti_tool.peer_review import rubric_library
from lti_tool.web import (  # noqa: F401 - imported for the routes they add
    library_flag_views,
    library_sharing_views,
)
from lti_tool.web.context import close_db
from lti_tool.web.courses.blueprint import courses
from lti_tool.web.errors import register_error_handlers
from lti_tool.web.kind_choices import register_choice_provider
from lti_tool.web.kind_pages import register_kind_pages
from lti_tool.web.library_discovery_views import library_discovery
from lti_tool.web.library_moderation_views import library_moderation
from lti_tool.web.library_requests_views import library_social
from lti_tool.web.library_views import register_library
from lti_tool.web.lti.blueprint import lti
from lti_tool.web.peer_review.blueprint import peer_review
from lti_tool.web.peer_review.context import KIND as PEER_REVIEW
from lti_tool.web.peer_review.lms_pages import PAGES as PEER_REVIEW_PAGES

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Every page is shown inside an LMS iframe, so framing must be allowed; scripts and styles
# come only from us. Tokens travel in URLs, so no Referer leaves the tool.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors *"
)


def register_web(app: Flask) -> None:
    app.register_blueprint(lti)
    app.register_blueprint(courses)
    app.register_blueprint(peer_review)
    register_kind_pages(app, PEER_REVIEW, PEER_REVIEW_PAGES)
    register_choice_provider(app, SAVED_RUBRICS, rubric_library.course_choices)
    register_library(app)
    app.register_blueprint(library_moderation)
    app.register_blueprint(library_discovery)
    app.register_blueprint(library_social)
    register_error_handlers(app)
    app.before_request(_assign_request_id)
    app.after_request(_security_headers)
    app.teardown_appcontext(close_db)


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
