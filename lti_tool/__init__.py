"""Peerlearn: peer learning inside any LMS, as an LTI 1.3 tool.

``create_app()`` is the only way in: it reads settings, wires services and registers the
web layer. Nothing reads configuration at import time.
"""

from __future__ import annotations

import logging

from flask import Flask

from config import Settings, load_settings
from lti_tool.logs import configure_logging
from lti_tool.services import Services, build_services

log = logging.getLogger("peerlearn")


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    configure_logging()
    app = Flask(__name__, template_folder="web/templates", static_folder="web/static")
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=16 * 1024 * 1024)
    services = build_services(settings)
    app.extensions["peerlearn"] = services

    from lti_tool.web import register_web  # noqa: PLC0415 - the web layer needs the app

    register_web(app)
    if settings.xapi_in_process:
        services.start_in_process_delivery()
    if settings.is_development:
        from lti_tool.demo.web import register_demo  # noqa: PLC0415 - development only

        register_demo(app)
    for notice in settings.notices:
        log.warning("development default", extra={"notice": notice})
    return app


def services_of(app: Flask) -> Services:
    services: Services = app.extensions["peerlearn"]
    return services
