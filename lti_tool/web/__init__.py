"""The web edge: blueprints, per-request database session, errors, security headers."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

from lti_tool.domain.peer_review.settings_form import SAVED_RUBRICS
from lti_tool.peer_review import rubric_library
from lti_tool.web.admin_views import admin_pages
from lti_tool.web.app_views import app_pages
from lti_tool.web.context import close_db
from lti_tool.web.deep_linking_views import picker
from lti_tool.web.errors import register_error_handlers
from lti_tool.web.grade_api import grade_api
from lti_tool.web.kind_choices import register_choice_provider
from lti_tool.web.kind_pages import register_kind_pages
from lti_tool.web.library.registration import register_library
from lti_tool.web.lti_views import lti
from lti_tool.web.meta_views import meta
from lti_tool.web.peer_review_moderation import staff_tools as peer_review_staff_tools
from lti_tool.web.peer_review_routes import peer_review
from lti_tool.web.peer_review_settings import settings_pages as peer_review_settings
from lti_tool.web.peer_review_views import KIND as PEER_REVIEW
from lti_tool.web.peer_review_views import PAGES as PEER_REVIEW_PAGES
from lti_tool.web.platform_storage_views import register_launch_fallbacks
from lti_tool.web.registration_views import registration
from lti_tool.web.roster_views import roster_pages

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Every page is shown inside an LMS iframe, so framing must be allowed; scripts and styles
# come only from us. Tokens travel in URLs, so no Referer leaves the tool.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors *"
)


def register_web(app: Flask) -> None:
    app.register_blueprint(lti)
    app.register_blueprint(app_pages)
    app.register_blueprint(picker)
    app.register_blueprint(peer_review)
    app.register_blueprint(peer_review_staff_tools)
    app.register_blueprint(peer_review_settings)
    register_kind_pages(app, PEER_REVIEW, PEER_REVIEW_PAGES)
    register_choice_provider(app, SAVED_RUBRICS, rubric_library.course_choices)
    register_library(app)
    app.register_blueprint(grade_api)
    app.register_blueprint(admin_pages)
    app.register_blueprint(roster_pages)
    app.register_blueprint(meta)
    app.register_blueprint(registration)
    register_error_handlers(app)
    register_launch_fallbacks(app)
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
