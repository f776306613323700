"""LTI Dynamic Registration: the page an LMS administrator opens to add Peerlearn."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import RegistrationFailed
from lti_tool.lti.dynamic_registration import ToolDescription
from lti_tool.lti.registrar import Registrar
from lti_tool.lti.registration_http import FetchPolicy, RegistrationHttp
from lti_tool.web.context import services
from lti_tool.web.lti_views import REGISTRATION_SCOPES, tool_urls

registration = Blueprint("registration", __name__)

DESCRIPTION = "Peer learning: learners share what they know and review each other's work."


@registration.get("/lti/register")
def register() -> ResponseReturnValue:
    """Spec §3.3: the LMS opens this with its configuration URL and a registration token."""
    configuration_url = request.args.get("openid_configuration", "").strip()
    if not configuration_url:
        raise RegistrationFailed(
            "Open this address from your LMS's tool registration: it needs the "
            "openid_configuration parameter.",
            code="missing_openid_configuration",
        )
    token = request.args.get("registration_token", "").strip() or None
    svc = services()
    settings = svc.settings
    urls = tool_urls()
    registrar = Registrar(
        http=RegistrationHttp(
            svc.http,
            FetchPolicy(
                allow_http=settings.is_development,
                allowed_hosts=settings.registration_allowed_hosts,
            ),
        ),
        sessions=svc.sessions,
        tool=ToolDescription(
            name="Peerlearn",
            description=DESCRIPTION,
            login_url=urls["login"],
            launch_url=urls["launch"],
            jwks_url=urls["jwks"],
            scopes=REGISTRATION_SCOPES,
        ),
        approval_required=settings.registration_approval,
    )
    registered = registrar.register(configuration_url, token)
    return render_template("registered.html", registered=registered)
