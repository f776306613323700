"""HTTP for Dynamic Registration, where the first URL comes from a browser.

Anyone can open ``/lti/register?openid_configuration=URL``, so Peerlearn fetches a URL
an attacker chose (server-side request forgery). Limits: http(s) only, https outside
development, optionally only allowed hosts, redirects followed by hand (at most 3, each
checked like the first), 5 s timeouts, 1 MB answers, JSON only, and no bodies echoed back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase

from lti_tool.domain.errors import RegistrationFailed
from lti_tool.lti.dynamic_registration import fail, is_web_url, refusal_reason

TIMEOUT_SECONDS = 5.0
MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3


class _NoAuth(AuthBase):
    """Keeps requests from adding ~/.netrc credentials for a host an attacker named."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


@dataclass(frozen=True)
class FetchPolicy:
    """Which URLs registration may reach."""

    allow_http: bool = False
    allowed_hosts: Sequence[str] = ()
    timeout: float = TIMEOUT_SECONDS
    max_bytes: int = MAX_BYTES

    def check(self, url: str, what: str) -> str:
        """Refuse a URL we may not fetch (400/403: the request's fault, not the LMS's)."""
        if not isinstance(url, str) or urlsplit(url).scheme not in {"http", "https"}:
            raise RegistrationFailed(
                f"The {what} is not an http(s) URL.", code="invalid_registration_url"
            )
        if not is_web_url(url, allow_http=True):
            raise RegistrationFailed(
                f"The {what} is not an absolute URL.", code="invalid_registration_url"
            )
        if not is_web_url(url, allow_http=self.allow_http):
            raise RegistrationFailed(
                f"The {what} must use https.", code="registration_url_not_https"
            )
        host = (urlsplit(url).hostname or "").lower()
        if self.allowed_hosts and not any(
            host == allowed or (allowed.startswith(".") and host.endswith(allowed))
            for allowed in self.allowed_hosts
        ):
            raise RegistrationFailed(
                f"Peerlearn does not accept registrations from {host}.",
                code="registration_host_not_allowed",
                status=403,
            )
        return url


class RegistrationHttp:
    """GET and POST of JSON documents within a :class:`FetchPolicy`."""

    def __init__(self, http: requests.Session, policy: FetchPolicy) -> None:
        self._http = http
        self.policy = policy

    def get_json(self, url: str, *, token: str | None, what: str) -> Any:
        """GET a JSON document, following at most a few checked redirects."""
        for hop in range(MAX_REDIRECTS + 1):
            self.policy.check(url, what if hop == 0 else f"address the {what} redirects to")
            response = self._send("GET", url, token=token, what=what)
            if not response.is_redirect:
                return self._json(response, what)
            url = urljoin(url, response.headers.get("Location", ""))
            response.close()
        raise fail(f"The {what} redirects too many times.", "too_many_redirects")

    def post_json(self, url: str, body: dict[str, Any], *, token: str | None, what: str) -> Any:
        """POST a JSON document; a redirect is an error (the body must not be re-sent)."""
        self.policy.check(url, what)
        response = self._send("POST", url, token=token, what=what, body=body)
        if response.is_redirect:
            response.close()
            raise fail(f"The {what} answered with a redirect.", "unexpected_redirect")
        return self._json(response, what)

    def _send(
        self, method: str, url: str, *, token: str | None, what: str, body: Any = None
    ) -> requests.Response:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return self._http.request(
                method,
                url,
                json=body,
                headers=headers,
                auth=_NoAuth(),
                timeout=self.policy.timeout,
                allow_redirects=False,
                stream=True,
            )
        except requests.Timeout:
            raise fail(
                f"The {what} did not answer within {self.policy.timeout:g} s.", "platform_timeout"
            ) from None
        except requests.RequestException as error:
            raise fail(
                f"The {what} could not be reached ({error.__class__.__name__}).",
                "platform_unreachable",
            ) from None

    def _json(self, response: requests.Response, what: str) -> Any:
        with response:
            content = self._read(response, what)
        try:
            document = json.loads(content)
        except ValueError:
            document = None
            if response.ok:
                raise fail(f"The {what} did not answer with JSON.", "invalid_json") from None
        if not response.ok:
            reason = refusal_reason(document)
            raise fail(
                f"The {what} answered HTTP {response.status_code}"
                + (f": {reason}" if reason else "."),
                "platform_refused",
            )
        return document

    def _read(self, response: requests.Response, what: str) -> bytes:
        limit = self.policy.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise fail(f"The {what} answered more than {limit // 1024} KB.", "response_too_large")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise fail(
                        f"The {what} answered more than {limit // 1024} KB.", "response_too_large"
                    )
                chunks.append(chunk)
        except requests.RequestException:
            raise fail(f"The {what} broke off its answer.", "platform_unreachable") from None
        return b"".join(chunks)
