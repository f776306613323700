"""Every LTI URL in one table: login, launch, our key set and configuration, dynamic
registration and the deep-linking activity picker; plus the launch's Platform Storage
fallback pages (answers to errors the launch raises while it is validated)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from lti_tool.lti.platform_storage import PlatformStorageCheck, StateCookieMissing
from lti_tool.web.lti import config, deep_linking, launch, login, platform_storage, registration

lti = Blueprint("lti", __name__)

GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]

# (path, endpoint under "lti.", view, methods)
RULES: list[tuple[str, str, Callable[..., Any], list[str]]] = [
    ("/lti/login", "login", login.login, BOTH),
    ("/lti/launch", "launch", launch.launch, POST),
    ("/.well-known/jwks.json", "jwks", config.jwks, GET),
    ("/lti/config", "config_page", config.config_page, GET),
    ("/lti/canvas.json", "canvas_json", config.canvas_json, GET),
    ("/lti/register", "register", registration.register, GET),
    # The activity picker after a deep-linking launch (staff only).
    ("/app/deep-linking", "picker", deep_linking.choose, GET),
    ("/app/deep-linking/return", "picker_finish", deep_linking.finish, POST),
    ("/app/deep-linking/cancel", "picker_cancel", deep_linking.cancel, POST),
    ("/app/deep-linking/<kind_key>", "picker_form", deep_linking.settings_form, GET),
    ("/app/deep-linking/<kind_key>", "picker_add", deep_linking.add, POST),
]

for path, endpoint, view, methods in RULES:
    lti.add_url_rule(path, endpoint=endpoint, view_func=view, methods=methods)

# Raised while a launch is validated, before anything is consumed (app-wide, as before).
lti.app_errorhandler(PlatformStorageCheck)(platform_storage.fetch_from_platform_storage)
lti.app_errorhandler(StateCookieMissing)(platform_storage.offer_new_window)
