"""LTI Dynamic Registration: the page an LMS administrator opens to add Peerlearn."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from marshmallow import fields

from lti_tool.domain.errors import RegistrationFailed
from lti_tool.lti.dynamic_registration import ToolDescription
from lti_tool.lti.registrar import Registrar
from lti_tool.lti.registration_http import FetchPolicy, RegistrationHttp
from lti_tool.web.context import services
from lti_tool.web.forms import Form, load
from lti_tool.web.lti.config import REGISTRATION_SCOPES, tool_urls

DESCRIPTION = "Peer learning: learners share what they know and review each other's work."


class RegistrationArgs(Form):
    """Spec §3.3: the LMS's configuration URL and, optionally, a registration token."""

    openid_configuration = fields.String(load_default="")
    registration_token = fields.String(load_default="")


def register() -> ResponseReturnValue:
    """The LMS opens this with its configuration URL and a registration token."""
    args = load(RegistrationArgs(), request.args)
    configuration_url = args["openid_configuration"].strip()
    if not configuration_url:
        raise RegistrationFailed(
            "Open this address from your LMS's tool registration: it needs the "
            "openid_configuration parameter.",
            code="missing_openid_configuration",
        )
    token = args["registration_token"].strip() or None
    svc = services()
    settings = svc.settings
    urls = tool_urls()
    registrar = Registrar(
        http=RegistrationHttp(
            svc.http,
            FetchPolicy(
                allow_http=settings.is_development,
                allowed_hosts=settings.registration_allowed_hosts,
                outbound=svc.outbound,
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
