"""Launch validation: pylti1p3's checks plus the ones it lacks.

Added beyond pylti1p3 2.0.0: the OIDC state must be one we signed in the last ten
minutes, match this browser's cookie (or, for a platform offering LTI Platform Storage,
the copy our page kept in the platform's window) and name the platform that started the
login; the nonce must be the one that login issued and is consumed atomically across
processes; only RS256 is accepted; ``exp`` and ``iat`` are required within a bounded
clock skew; ``aud`` must contain our client id and ``azp`` must equal it when ``aud`` has
several values; an unknown ``kid`` refetches the platform key set (rate-limited);
``target_link_uri`` must point at us; and every failure is a :class:`LaunchRefused` (a
4xx page), never a bare exception. A launch whose cookie did not come back is answered by
the pages of ``web/lti/platform_storage.py``, before anything is consumed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, cast

import jwt
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest
from pylti1p3.exception import LtiException

from lti_tool.domain.errors import LaunchRefused, PeerlearnError, UnknownPlatform
from lti_tool.domain.ports import EphemeralStore
from lti_tool.lti.login import origin_of, points_at
from lti_tool.lti.platform_keys import PlatformKeys
from lti_tool.lti.platform_storage import (
    STORAGE_NONCE_FIELD,
    STORAGE_STATE_FIELD,
    PlatformStorageCheck,
    StateCookieMissing,
    check_storage_proof,
)
from lti_tool.lti.state import LoginRecord, StateCodec
from lti_tool.lti.storage import PartitionedCookieService, PeerlearnRequest
from lti_tool.lti.tool_conf import PeerlearnRegistration, SqlToolConf

TARGET_LINK_URI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


def launch_id_for(issuer: str, nonce: str) -> str:
    """The launch's id: stable for a given (issuer, nonce), so a replay collides with it."""
    return hashlib.sha256(f"{issuer}\n{nonce}".encode()).hexdigest()[:40]


def launch_key(launch_id: str) -> str:
    return f"launch:{launch_id}"


def cached_launch(store: EphemeralStore, launch_id: str) -> dict[str, Any] | None:
    """The validated id_token body of a launch, while its launch session may still use it."""
    found = store.get(launch_key(launch_id))
    return found if isinstance(found, dict) else None


class PeerlearnMessageLaunch(FlaskMessageLaunch):
    def __init__(
        self,
        request: FlaskRequest,
        tool_conf: SqlToolConf,
        *,
        store: EphemeralStore,
        states: StateCodec,
        platform_keys: PlatformKeys,
        base_url: str,
        clock_skew_seconds: int,
        launch_data_ttl: int = 7200,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(request, tool_conf, cookie_service=PartitionedCookieService(request))
        self._store = store
        self._states = states
        self._platform_keys = platform_keys
        self._base_url = base_url
        self._skew = clock_skew_seconds
        self._launch_data_ttl = launch_data_ttl
        self._clock = clock
        self._login = LoginRecord(issuer="", client_id="", nonce="")
        self._deployment_pk = 0

    # -- the order matters: nothing is consumed before the signature is checked ---------
    def validate(self) -> PeerlearnMessageLaunch:
        if self._restored:
            raise LaunchRefused("A restored launch cannot be validated again.")
        self._validated = True
        try:
            self.validate_state()
            self.validate_jwt_format()
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_deployment()
            self.validate_message()
            self.validate_target_link_uri()
            self.validate_nonce()
        except PeerlearnError:
            self._validated = False
            raise
        except (LtiException, KeyError, TypeError, ValueError, AttributeError) as error:
            self._validated = False
            raise LaunchRefused(str(error) or error.__class__.__name__) from error
        return self

    def validate_state(self) -> PeerlearnMessageLaunch:
        state = self._get_request_param("state")
        id_token = self._get_request_param("id_token")
        if not state or not id_token:
            raise LaunchRefused("The launch carries no state or no id_token.", code="missing_state")
        login = self._states.read(state)
        self._login = login
        if self._cookie_service.get_cookie(state) == state:
            return self
        if not login.uses_platform_storage:
            raise StateCookieMissing(login)
        stored_state = self._get_request_param(STORAGE_STATE_FIELD)
        if stored_state is None:
            raise PlatformStorageCheck(
                login=login, state=state, id_token=id_token, platform_origin=self._platform_origin()
            )
        request = self._request
        check_storage_proof(
            login=login,
            state=state,
            stored_state=stored_state,
            stored_nonce=self._get_request_param(STORAGE_NONCE_FIELD),
            origin=request.origin if isinstance(request, PeerlearnRequest) else None,
            fetch_site=request.fetch_site if isinstance(request, PeerlearnRequest) else None,
            our_origin=origin_of(self._base_url) or "",
        )
        return self

    def _platform_origin(self) -> str:
        """The origin platform storage answers from: that of the platform's auth endpoint."""
        conf: SqlToolConf = self._tool_config
        registration = conf.find_registration_by_params(self._login.issuer, self._login.client_id)
        origin = origin_of(registration.get_auth_login_url() or "") if registration else None
        if origin is None:
            raise UnknownPlatform("Peerlearn has no registration for this launch's LMS.")
        return origin

    def validate_registration(self) -> PeerlearnMessageLaunch:
        body = self._jwt.get("body", {})
        iss = body.get("iss")
        if not isinstance(iss, str) or not iss:
            raise LaunchRefused("The launch names no issuer (iss).", code="missing_iss")
        aud = body.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if not audiences or not all(isinstance(item, str) for item in audiences):
            raise LaunchRefused("The launch names no audience (aud).", code="missing_aud")
        client_id = self._login.client_id
        if iss != self._login.issuer:
            raise LaunchRefused(
                "The launch comes from another LMS than the login.", code="issuer_mismatch"
            )
        if client_id not in audiences:
            raise LaunchRefused(
                "The launch is not addressed to this registration (aud).", code="audience_mismatch"
            )
        if len(audiences) > 1 and body.get("azp") != client_id:
            raise LaunchRefused(
                "The launch has several audiences and azp is not ours.", code="azp_mismatch"
            )
        registration = self._tool_config.find_registration_by_params(iss, client_id)
        if registration is None:
            raise UnknownPlatform(f"Peerlearn has no registration for issuer {iss!r}.")
        self._registration = registration
        return self

    def get_client_id(self) -> str:
        # pylti1p3 takes aud[0]; the login told us which of the audiences is ours.
        return self._login.client_id

    def validate_jwt_signature(self) -> PeerlearnMessageLaunch:
        header = self._jwt.get("header", {})
        if header.get("alg") != "RS256":
            raise LaunchRefused(
                f"Signing algorithm {header.get('alg')!r} is not accepted.", code="bad_algorithm"
            )
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise LaunchRefused("The launch names no signing key (kid).", code="missing_kid")
        registration = cast(PeerlearnRegistration, self._registration)
        key = self._platform_keys.key_for(registration.platform_id, kid)
        try:
            jwt.decode(
                self._get_id_token(),
                key,
                algorithms=["RS256"],
                audience=self.get_client_id(),
                issuer=registration.get_issuer(),
                leeway=self._skew,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ImmatureSignatureError as error:
            raise LaunchRefused(
                f"The launch is dated in the future: {error}", code="token_not_yet_valid"
            ) from error
        except jwt.ExpiredSignatureError as error:
            raise LaunchRefused("The launch has expired.", code="token_expired") from error
        except jwt.InvalidTokenError as error:
            raise LaunchRefused(
                f"The launch token is not valid: {error}", code="invalid_token"
            ) from error
        return self

    def validate_deployment(self) -> PeerlearnMessageLaunch:
        deployment_id = self._jwt.get("body", {}).get(DEPLOYMENT_ID)
        if not isinstance(deployment_id, str) or not deployment_id:
            raise LaunchRefused("The launch has no deployment_id.", code="missing_deployment")
        conf: SqlToolConf = self._tool_config
        found = conf.deployment_pk(self.get_iss(), self.get_client_id(), deployment_id)
        if found is None:
            raise UnknownPlatform(
                f"Deployment {deployment_id!r} of this LMS is not registered in Peerlearn.",
                code="unknown_deployment",
            )
        self._deployment_pk = found
        return self

    def validate_target_link_uri(self) -> PeerlearnMessageLaunch:
        target = self._jwt.get("body", {}).get(TARGET_LINK_URI)
        if not isinstance(target, str) or not points_at(target, self._base_url):
            raise LaunchRefused(
                "The launch targets an address that is not Peerlearn's.",
                code="target_link_uri_mismatch",
            )
        return self

    def validate_nonce(self) -> PeerlearnMessageLaunch:
        nonce = self._jwt.get("body", {}).get("nonce")
        if not isinstance(nonce, str) or not nonce:
            raise LaunchRefused("The launch has no nonce.", code="missing_nonce")
        if nonce != self._login.nonce:
            raise LaunchRefused(
                "The launch's nonce was not issued for this login.", code="nonce_mismatch"
            )
        # One atomic write both consumes the nonce and keeps the launch data: the key is
        # derived from (issuer, nonce), so a replay finds it taken. It must outlive the
        # token (so a replay can be recognised) and the launch session (which reads it).
        launch_id = launch_id_for(self.get_iss(), nonce)
        expires = self._jwt.get("body", {}).get("exp")
        token_left = int(expires - self._clock()) if isinstance(expires, int | float) else 0
        ttl = max(token_left + self._skew, self._launch_data_ttl)
        if not self._store.add_once(launch_key(launch_id), self._jwt.get("body", {}), ttl):
            raise LaunchRefused("This launch was used already.", code="nonce_replayed")
        self.set_launch_id(launch_id)
        return self

    def launch_claims(self) -> dict[str, Any]:
        return dict(self._get_jwt_body())

    def deployment_pk(self) -> int:
        """Our database id of the launch's (validated) deployment."""
        return self._deployment_pk

    def registration(self) -> PeerlearnRegistration:
        return cast(PeerlearnRegistration, self._registration)

    def platform_id(self) -> int:
        return cast(PeerlearnRegistration, self._registration).platform_id
