"""OIDC login initiation (third-party initiated login), hardened.

pylti1p3 keeps the nonce as "seen", never as "used", and trusts whatever
``target_link_uri`` the platform names. Here the login signs, into the ``state``, which
platform and nonce it is for; the launch checks them and consumes the nonce once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from pylti1p3.contrib.flask import FlaskOIDCLogin, FlaskRequest
from pylti1p3.exception import OIDCException

from lti_tool.domain.errors import LaunchRefused, RegistrationAwaitingApproval, UnknownPlatform
from lti_tool.lti.state import RELAUNCH_PARAMS, LoginRecord, StateCodec, relaunch_params
from lti_tool.lti.storage import PartitionedCookieService
from lti_tool.lti.tool_conf import PeerlearnRegistration, SqlToolConf


def points_at(url: str | None, base_url: str) -> bool:
    """True when ``url`` is one of ours (same scheme, host and port, under our path)."""
    if not url:
        return False
    target, base = urlsplit(url), urlsplit(base_url)
    return (target.scheme, target.netloc.lower()) == (base.scheme, base.netloc.lower()) and (
        target.path + "/"
    ).startswith(base.path.rstrip("/") + "/")


# ``_parent`` or a frame name; anything else is not a frame the tool could address.
_STORAGE_TARGET = re.compile(r"^(?:_parent|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$")


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL, as ``postMessage`` origins are spelled."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


@dataclass(frozen=True)
class LoginStart:
    """A validated login: where to send the browser, and what it must bring back.

    With ``storage_target`` set, the state and nonce go to the platform's window (LTI
    Platform Storage, at ``platform_origin``) before the browser goes to ``auth_url``.
    """

    auth_url: str
    state: str
    nonce: str
    storage_target: str | None = None
    platform_origin: str | None = None


class PeerlearnOIDCLogin(FlaskOIDCLogin):
    def __init__(
        self,
        request: FlaskRequest,
        tool_conf: SqlToolConf,
        *,
        states: StateCodec,
        base_url: str,
        launch_url: str,
    ) -> None:
        self.cookies = PartitionedCookieService(request)
        super().__init__(request, tool_conf, cookie_service=self.cookies)
        self._states = states
        self._base_url = base_url
        self._launch_url = launch_url

    def begin(self) -> LoginStart:
        """Validate the login request, issue its state and queue the state's cookie.

        The cookie is queued in every mode (the caller's response must carry it, through
        ``self.cookies.update_response``): where the frame may keep it, the launch checks it
        first; platform storage serves frames that may not.
        """
        target = self._get_request_param("target_link_uri")
        if not points_at(target, self._base_url):
            raise LaunchRefused(
                "The LMS asked to open an address that is not Peerlearn's.",
                code="target_link_uri_mismatch",
            )
        try:
            registration = self.validate_oidc_login()
        except OIDCException as error:
            raise UnknownPlatform(str(error)) from error
        if registration is None:  # pragma: no cover - validate_oidc_login raises first
            raise UnknownPlatform("Could not find registration details")
        if not isinstance(registration, PeerlearnRegistration) or not registration.platform.active:
            # Never send a browser to an authorization endpoint no administrator approved:
            # whoever registered the platform chose it (an open redirect). SqlToolConf
            # refuses first; this keeps the rule where the redirect is made.
            raise RegistrationAwaitingApproval(  # pragma: no cover
                "Peerlearn's registration for this LMS has not been approved yet "
                "(peerlearn platform approve)."
            )
        auth_url = registration.get_auth_login_url() or ""
        platform_origin = origin_of(auth_url)
        storage_target = self._get_request_param("lti_storage_target") or None
        if storage_target and (not _STORAGE_TARGET.match(storage_target) or not platform_origin):
            storage_target = None
        nonce = secrets.token_urlsafe(24)
        record = LoginRecord(
            issuer=registration.get_issuer() or "",
            client_id=registration.get_client_id() or "",
            nonce=nonce,
            storage_target=storage_target,
            relaunch=relaunch_params(
                {name: self._get_request_param(name) for name in RELAUNCH_PARAMS}
            ),
        )
        state = self._states.issue(record)
        # The cookie binds the state to this browser (login CSRF); the signature binds the
        # platform and nonce to it without a database write.
        self.cookies.set_cookie(state, state, self._states.ttl_seconds)
        params: dict[str, Any] = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": record.client_id,
            "redirect_uri": self._launch_url,
            "state": state,
            "nonce": nonce,
            "login_hint": self._get_request_param("login_hint"),
        }
        message_hint = self._get_request_param("lti_message_hint")
        if message_hint:
            params["lti_message_hint"] = message_hint
        separator = "&" if urlsplit(auth_url).query else "?"
        return LoginStart(
            auth_url=auth_url + separator + urlencode(params),
            state=state,
            nonce=nonce,
            storage_target=storage_target,
            platform_origin=platform_origin if storage_target else None,
        )

    def validate_oidc_login(self) -> Any:
        if not self._get_request_param("iss"):
            raise OIDCException("The login request names no issuer (iss).")
        if not self._get_request_param("login_hint"):
            raise OIDCException("The login request has no login_hint.")
        conf: SqlToolConf = self._tool_config
        iss = self._get_request_param("iss")
        client_id = self._get_request_param("client_id")
        if not client_id:
            # Only an issuer with a single registration can be found without a client id.
            registration = conf.find_registration_by_issuer(iss)
        else:
            registration = conf.find_registration_by_params(iss, client_id)
        if registration is None:
            raise OIDCException(
                f"Peerlearn has no registration for issuer {iss!r}"
                + (f" and client id {client_id!r}." if client_id else ".")
            )
        return registration
