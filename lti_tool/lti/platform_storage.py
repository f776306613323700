"""LTI Platform Storage (1EdTech "Client Side postMessages" and "postMessage Storage").

When a platform sends ``lti_storage_target`` with the login, our login page keeps the
state and nonce in the platform's window (``lti.put_data``); a launch whose cookie did
not come back fetches them from there (``lti.get_data``) and posts them again with the
id_token. The browser scripts are ``web/static/platform_storage.js``; this module holds
what the server decides.
"""

from __future__ import annotations

import hmac

from lti_tool.domain.errors import LaunchRefused, PeerlearnError
from lti_tool.lti.state import LoginRecord

STORAGE_STATE_FIELD = "lti_storage_state"
STORAGE_NONCE_FIELD = "lti_storage_nonce"
STATE_KEY_PREFIX = "peerlearn_state_"
NONCE_KEY_PREFIX = "peerlearn_nonce_"


class StateCookieMissing(LaunchRefused):
    """The state is ours but this browser kept no cookie for it, and no platform storage
    was offered: third-party cookies are blocked, or the launch was forged. Either way it
    is refused here; the page offers the login again in a window of Peerlearn's own."""

    code = "state_mismatch"
    title = "Peerlearn needs its own window here"
    advice = (
        "Your browser keeps Peerlearn from remembering this launch inside the course page. "
        "Open Peerlearn in a new window to continue."
    )

    def __init__(self, login: LoginRecord) -> None:
        super().__init__("This launch did not start in this browser.")
        self.login = login


class PlatformStorageCheck(PeerlearnError):
    """Not a refusal: before anything is validated or consumed, the browser must fetch
    this launch's state and nonce from platform storage and post them with the launch."""

    code = "platform_storage_check"
    status = 200
    title = "Opening Peerlearn"

    def __init__(
        self, *, login: LoginRecord, state: str, id_token: str, platform_origin: str
    ) -> None:
        super().__init__("Checking this launch with your LMS.")
        self.login = login
        self.state = state
        self.id_token = id_token
        self.platform_origin = platform_origin


def check_storage_proof(
    *,
    login: LoginRecord,
    state: str,
    stored_state: str,
    stored_nonce: str | None,
    origin: str | None,
    fetch_site: str | None,
    our_origin: str,
) -> None:
    """Accept values read back from platform storage only from our own page.

    The values themselves are no secret to whoever ran the login, so a form forged on
    another site could carry them. Browsers say where a post comes from in headers no page
    can set: ``Sec-Fetch-Site`` (authoritative where sent) or else ``Origin``. Only our
    launch page, which posts what the platform's window answered, makes a same-origin post.
    """
    same_origin = fetch_site == "same-origin" if fetch_site is not None else origin == our_origin
    if not same_origin:
        raise LaunchRefused(
            "The launch's check with the LMS did not come from Peerlearn's page.",
            code="storage_origin_mismatch",
        )
    if not hmac.compare_digest(stored_state.encode(), state.encode()):
        raise LaunchRefused(
            "The LMS holds no record of this launch starting in this browser.",
            code="storage_state_mismatch",
        )
    if stored_nonce is None or not hmac.compare_digest(stored_nonce.encode(), login.nonce.encode()):
        raise LaunchRefused(
            "The LMS holds another nonce for this launch.", code="storage_nonce_mismatch"
        )
