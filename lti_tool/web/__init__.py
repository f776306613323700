"""The web edge: each feature's blueprint, the per-request database session, error pages
and security headers, all added to the app in :func:`register_web`."""

from __future__ import annotations

from flask import Flask

from lti_tool.web.context import close_db
from lti_tool.web.courses.blueprint import courses
from lti_tool.web.errors import register_error_handlers
from lti_tool.web.forms import RowIdConverter
from lti_tool.web.library.registration import register_library
from lti_tool.web.lti.blueprint import lti
from lti_tool.web.peer_review.registration import register_peer_review
from lti_tool.web.security import assign_request_id, security_headers


def register_web(app: Flask) -> None:
    # One rule for ids in paths, set before any rule is added: <int:...> is a 32-bit row id.
    app.url_map.converters["int"] = RowIdConverter
    app.url_map.converters["rowid"] = RowIdConverter
    app.register_blueprint(lti)
    app.register_blueprint(courses)
    register_peer_review(app)
    register_library(app)
    register_error_handlers(app)
    app.before_request(assign_request_id)
    app.after_request(security_headers)
    app.teardown_appcontext(close_db)
