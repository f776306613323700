"""Every URL of the course pages in one table (see :mod:`lti_tool.web.courses`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from lti_tool.web.courses import admin, grades, health, home, roster

courses = Blueprint("courses", __name__)

GET, POST = ["GET"], ["POST"]

# (path, view, methods); the endpoint is the view's name.
RULES: list[tuple[str, Callable[..., Any], list[str]]] = [
    ("/app", home.home, GET),
    ("/app/profile", home.profile, GET),
    ("/app/profile", home.save_profile, POST),
    ("/api/session", home.session_status, GET),
    ("/app/roster", roster.show_roster, GET),
    ("/app/roster/sync", roster.sync_roster, POST),
    ("/app/admin/learning-records", admin.learning_records_status, GET),
    ("/api/activities/<int:activity_id>/grades", grades.send_grade, POST),
    ("/healthz", health.healthz, GET),
]

for path, view, methods in RULES:
    courses.add_url_rule(path, view_func=view, methods=methods)
