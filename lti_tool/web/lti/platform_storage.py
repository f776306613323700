"""Launch pages for frames that may not keep cookies: LTI Platform Storage and the offer
to open Peerlearn in a window of its own.

The launch view stays as it is: :class:`PlatformStorageCheck` and
:class:`StateCookieMissing` are raised while the launch is validated (before anything is
consumed) and answered here (the handlers are registered in :mod:`.blueprint`).
"""

from __future__ import annotations

from flask import Response, g, render_template

from lti_tool.lti.login import LoginStart
from lti_tool.lti.platform_storage import (
    NONCE_KEY_PREFIX,
    STATE_KEY_PREFIX,
    STORAGE_NONCE_FIELD,
    STORAGE_STATE_FIELD,
    PlatformStorageCheck,
    StateCookieMissing,
)
from lti_tool.lti.state import LoginRecord, storage_key
from lti_tool.web.context import services


def _storage_keys(state: str) -> dict[str, str]:
    short = storage_key(state)
    return {"state_key": STATE_KEY_PREFIX + short, "nonce_key": NONCE_KEY_PREFIX + short}


def _relaunch(login: LoginRecord) -> dict[str, object]:
    return {
        "login_url": services().settings.url_for_path("/lti/login"),
        "login_params": login.login_params(),
    }


def render_storage_login(start: LoginStart) -> Response:
    """The login page that keeps state and nonce in the platform, then goes to its auth URL."""
    html = render_template(
        "platform_storage_login.html",
        start=start,
        **_storage_keys(start.state),
    )
    return Response(html, mimetype="text/html")


def fetch_from_platform_storage(check: PlatformStorageCheck) -> Response:
    """The launch's state is in the platform's window: a page fetches it and posts again."""
    html = render_template(
        "platform_storage_launch.html",
        check=check,
        launch_url=services().settings.url_for_path("/lti/launch"),
        state_field=STORAGE_STATE_FIELD,
        nonce_field=STORAGE_NONCE_FIELD,
        request_id=g.get("request_id", ""),
        **_storage_keys(check.state),
        **_relaunch(check.login),
    )
    return Response(html, status=check.status, mimetype="text/html")


def offer_new_window(refusal: StateCookieMissing) -> Response:
    """No state cookie and no Platform Storage: offer to open Peerlearn in a new window."""
    html = render_template(
        "new_window.html",
        refusal=refusal,
        request_id=g.get("request_id", ""),
        **_relaunch(refusal.login),
    )
    return Response(html, status=refusal.status, mimetype="text/html")
