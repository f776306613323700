"""Platform public keys: cached in the database, refetched (rate-limited) on an unknown kid.

pylti1p3 fetches a platform's key set once and never again, so a platform that rotates
its keys breaks every launch until the tool restarts. Here an unknown ``kid`` triggers one
refetch, at most once per ``refetch_interval`` per platform across all processes.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from jwt import PyJWK
from jwt.exceptions import PyJWKError
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.domain.errors import LaunchRefused
from lti_tool.domain.outbound_urls import OutboundUrlRefused
from lti_tool.lti.outbound import NoAuth, OutboundPolicy
from lti_tool.persistence.models import Platform

FETCH_TIMEOUT = (3.05, 10)
MAX_JWKS_BYTES = 256 * 1024


class PlatformKeysUnavailable(LaunchRefused):
    code = "platform_keys_unavailable"
    status = 502
    title = "Your LMS could not be reached"
    advice = "Try again in a minute. If it keeps happening, tell your LMS administrator."


class PlatformKeys:
    """Finds the key a platform signed with, by ``kid``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        http: requests.Session | None = None,
        policy: OutboundPolicy | None = None,
        refetch_interval: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions = sessions
        self._http = http or requests.Session()
        self._policy = policy or OutboundPolicy()
        self._refetch_interval = refetch_interval
        self._clock = clock
        self._parsed: dict[tuple[int, str], PyJWK] = {}
        self._lock = threading.Lock()

    def key_for(self, platform_id: int, kid: str) -> PyJWK:
        with self._lock:
            cached = self._parsed.get((platform_id, kid))
        if cached is not None:
            return cached
        with self._sessions() as session:
            platform = session.get(Platform, platform_id)
            if platform is None:
                raise LaunchRefused(
                    "The platform registration was removed.", code="unknown_platform"
                )
            key = self._find(platform.jwks, kid)
            if key is None and self._may_refetch(platform):
                platform.jwks = self._fetch(platform.jwks_url)
                platform.jwks_fetched_at = self._clock()
                session.commit()
                key = self._find(platform.jwks, kid)
        if key is None:
            raise LaunchRefused(
                "The launch was signed with a key your LMS does not publish.", code="unknown_kid"
            )
        with self._lock:
            self._parsed[(platform_id, kid)] = key
        return key

    def _may_refetch(self, platform: Platform) -> bool:
        last = platform.jwks_fetched_at
        return last is None or self._clock() - last >= self._refetch_interval

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            self._policy.check(url)
            response = self._http.get(
                url, timeout=FETCH_TIMEOUT, stream=True, allow_redirects=False, auth=NoAuth()
            )
            if response.status_code != 200:  # a redirect is not followed: the URL is registered
                response.close()
                raise PlatformKeysUnavailable(
                    f"The key set at {url} answered HTTP {response.status_code}."
                )
            body = response.raw.read(MAX_JWKS_BYTES + 1, decode_content=True)
        except OutboundUrlRefused as refused:
            raise PlatformKeysUnavailable(
                f"The key set URL was refused: {refused.detail}"
            ) from None
        except (requests.RequestException, OSError) as error:
            raise PlatformKeysUnavailable(
                f"Fetching {url} failed ({error.__class__.__name__})."
            ) from None
        if len(body) > MAX_JWKS_BYTES:
            raise PlatformKeysUnavailable(f"The key set at {url} is too large.")
        try:
            data = json.loads(body)
        except ValueError as error:
            raise PlatformKeysUnavailable(f"The key set at {url} is not JSON.") from error
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
            raise PlatformKeysUnavailable(f"The key set at {url} has no 'keys' list.")
        return data

    @staticmethod
    def _find(jwks: dict[str, Any] | None, kid: str) -> PyJWK | None:
        for candidate in (jwks or {}).get("keys", []):
            if not isinstance(candidate, dict) or candidate.get("kid") != kid:
                continue
            if candidate.get("kty") != "RSA" or candidate.get("use", "sig") != "sig":
                continue
            try:
                return PyJWK(candidate, algorithm="RS256")
            except PyJWKError:
                return None
        return None
