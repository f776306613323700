"""OIDC login initiation: the first step of every launch."""

from __future__ import annotations

from flask import redirect, request
from flask.typing import ResponseReturnValue

from lti_tool.lti.login import PeerlearnOIDCLogin
from lti_tool.lti.storage import pylti_request
from lti_tool.lti.tool_conf import SqlToolConf
from lti_tool.web.context import services
from lti_tool.web.lti.config import tool_urls
from lti_tool.web.lti.platform_storage import render_storage_login


def login() -> ResponseReturnValue:
    svc = services()
    urls = tool_urls()
    oidc = PeerlearnOIDCLogin(
        pylti_request(request),
        SqlToolConf(svc.registrations, svc.key_ring),
        states=svc.states,
        base_url=svc.settings.base_url,
        launch_url=urls["launch"],
    )
    start = oidc.begin()
    # With lti_storage_target, a page keeps the state in the platform's window first
    # (LTI Platform Storage); otherwise the usual redirect. Both carry the state's cookie.
    response = render_storage_login(start) if start.storage_target else redirect(start.auth_url)
    oidc.cookies.update_response(response)
    return response
