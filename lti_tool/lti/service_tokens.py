"""OAuth 2 access tokens for LTI Advantage services (AGS, NRPS), cached across processes.

pylti1p3 caches service tokens in the process forever (past their expiry) and signs each
client assertion from a PEM string, parsing the key every time. Here the assertion is
signed with the tool's current key object, and tokens are shared by every process
through the ephemeral store (database or Redis) until shortly before ``expires_in`` runs
out; a 401 from a service invalidates the token so the next call fetches a fresh one.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import jwt
import requests

from lti_tool.domain.errors import PeerlearnError
from lti_tool.domain.outbound_urls import OutboundUrlRefused
from lti_tool.domain.ports import EphemeralStore
from lti_tool.keys import KeyRing
from lti_tool.lti.outbound import NoAuth, OutboundPolicy
from lti_tool.lti.registrations import PlatformRegistration

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300
EXPIRY_MARGIN = 60  # renew this long before the platform's expiry
TIMEOUT = (3.05, 15)


class ServiceTokenError(PeerlearnError):
    code = "service_token_unavailable"
    status = 502
    title = "Your LMS did not grant access to its services"
    advice = "Try again later. If it keeps happening, tell your LMS administrator."


class ServiceTokens:
    def __init__(
        self,
        store: EphemeralStore,
        key_ring: KeyRing,
        *,
        http: requests.Session | None = None,
        policy: OutboundPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # Shared with the service clients (AGS, NRPS, groups) built on these tokens.
        self.policy = policy or OutboundPolicy()
        self._store = store
        self._key_ring = key_ring
        self._http = http or requests.Session()
        self._clock = clock  # for the cache's expiry

    def token(self, platform: PlatformRegistration, scopes: Sequence[str]) -> str:
        """A bearer token for ``scopes`` on ``platform``, from the cache when still valid."""
        key = self._cache_key(platform, scopes)
        cached = self._store.get(key)
        if isinstance(cached, dict) and cached.get("expires_at", 0) > self._clock():
            return str(cached["access_token"])
        granted = self._request(platform, scopes)
        lifetime = int(granted.get("expires_in") or 3600)
        usable = max(1, lifetime - EXPIRY_MARGIN)
        self._store.put(
            key,
            {"access_token": granted["access_token"], "expires_at": self._clock() + usable},
            usable,
        )
        return str(granted["access_token"])

    def invalidate(self, platform: PlatformRegistration, scopes: Sequence[str]) -> None:
        """Forget a token a service refused (HTTP 401), so the next call gets a new one."""
        self._store.pop(self._cache_key(platform, scopes))

    def client_assertion(self, platform: PlatformRegistration) -> str:
        key = self._key_ring.signing_key()
        now = int(time.time())  # the platform checks it against its own clock
        claims = {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_audience or platform.auth_token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": uuid.uuid4().hex,
        }
        # A key object, not a PEM: no parsing per assertion.
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    def _request(self, platform: PlatformRegistration, scopes: Sequence[str]) -> dict[str, Any]:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.client_assertion(platform),
            "scope": " ".join(sorted(scopes)),
        }
        try:
            self.policy.check(platform.auth_token_url)
            response = self._http.post(
                platform.auth_token_url,
                data=form,
                timeout=TIMEOUT,
                allow_redirects=False,  # the assertion goes to this URL and nowhere else
                auth=NoAuth(),
            )
        except OutboundUrlRefused as refused:
            raise ServiceTokenError(
                f"The LMS token endpoint is not an address Peerlearn may use: {refused.detail}"
            ) from None
        except requests.RequestException as error:
            raise ServiceTokenError(
                f"The LMS token endpoint could not be reached ({error.__class__.__name__})."
            ) from None
        try:
            granted = response.json()
        except ValueError:
            granted = None
        if (
            response.status_code != 200
            or not isinstance(granted, dict)
            or not isinstance(granted.get("access_token"), str)
        ):
            # Never the body: it is the platform's (or whatever answered) words.
            raise ServiceTokenError(
                f"The LMS refused a service token (HTTP {response.status_code})."
            )
        return granted

    @staticmethod
    def _cache_key(platform: PlatformRegistration, scopes: Sequence[str]) -> str:
        digest = hashlib.sha256(" ".join(sorted(set(scopes))).encode()).hexdigest()[:24]
        return f"service-token:{platform.id}:{digest}"
