"""HTTP for Dynamic Registration, where the first URL comes from a browser.

Anyone can open ``/lti/register?openid_configuration=URL``, so Peerlearn fetches a URL
an attacker chose (server-side request forgery). Every URL goes through the one
outbound policy (``lti_tool.lti.outbound``: parser differences, https outside
development, internal addresses) and the optional registration allow-list; redirects
are followed by hand, at most 3, on the same origin only, each checked like the first;
5 s timeouts, 1 MB answers, JSON only, and no bodies echoed back beyond a status and a
short, cleaned reason from a 4xx refusal.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests

from lti_tool.domain.errors import RegistrationFailed
from lti_tool.domain.outbound_urls import (
    OutboundUrl,
    OutboundUrlRefused,
    host_matches,
    parse_outbound_url,
)
from lti_tool.lti.dynamic_registration import fail, refusal_reason
from lti_tool.lti.outbound import NoAuth, OutboundPolicy, short_reason

TIMEOUT_SECONDS = 5.0
MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3

log = logging.getLogger("peerlearn.registration")


@dataclass(frozen=True)
class FetchPolicy:
    """Which URLs registration may reach: the outbound policy plus the registration
    allow-list (``PEERLEARN_REGISTRATION_ALLOWED_HOSTS``)."""

    allow_http: bool = False
    allowed_hosts: Sequence[str] = ()
    timeout: float = TIMEOUT_SECONDS
    max_bytes: int = MAX_BYTES
    # Addresses: development's loopback-friendly policy when http is allowed, else
    # production's (the view passes the app's own policy).
    outbound: OutboundPolicy | None = field(default=None, compare=False)

    @property
    def addresses(self) -> OutboundPolicy:
        return self.outbound or OutboundPolicy(
            allow_http=self.allow_http, allow_loopback=self.allow_http
        )

    def check(self, url: str, what: str) -> str:
        """Refuse a URL we may not fetch (400/403: the request's fault, not the LMS's).
        Only what the URL says is checked here; its addresses are checked when sent."""
        try:
            parsed = parse_outbound_url(url, allow_http=self.allow_http)
        except OutboundUrlRefused as refused:
            code = (
                "registration_url_not_https"
                if refused.code == "outbound_url_not_https"
                else "invalid_registration_url"
            )
            raise RegistrationFailed(f"The {what}: {refused.detail}", code=code) from None
        if self.allowed_hosts and not host_matches(parsed.host, tuple(self.allowed_hosts)):
            raise RegistrationFailed(
                f"Peerlearn does not accept registrations from {parsed.host}.",
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
        """GET a JSON document, following at most a few checked same-origin redirects
        (the registration token must not travel to another host)."""
        origin: tuple[str, str, int] | None = None
        for hop in range(MAX_REDIRECTS + 1):
            self.policy.check(url, what if hop == 0 else f"address the {what} redirects to")
            target = self._addresses(url, what)
            if origin is not None and target.origin != origin:
                raise fail(f"The {what} redirects to another host.", "cross_origin_redirect")
            origin = target.origin
            response = self._send("GET", url, token=token, what=what)
            if not response.is_redirect:
                return self._json(response, what)
            url = urljoin(url, response.headers.get("Location", ""))
            response.close()
        raise fail(f"The {what} redirects too many times.", "too_many_redirects")

    def post_json(self, url: str, body: dict[str, Any], *, token: str | None, what: str) -> Any:
        """POST a JSON document; a redirect is an error (the body must not be re-sent)."""
        self.policy.check(url, what)
        self._addresses(url, what)
        response = self._send("POST", url, token=token, what=what, body=body)
        if response.is_redirect:
            response.close()
            raise fail(f"The {what} answered with a redirect.", "unexpected_redirect")
        return self._json(response, what)

    def _addresses(self, url: str, what: str) -> OutboundUrl:
        """The outbound policy's verdict on where ``url`` resolves. A refused address reads
        exactly like a closed port: the page must not map an internal network."""
        try:
            return self.policy.addresses.check(url)
        except OutboundUrlRefused as refused:
            if refused.code == "outbound_unreachable":
                raise fail(f"The {what} could not be reached.", "platform_unreachable") from None
            raise RegistrationFailed(
                f"The {what}: {refused.detail}", code="invalid_registration_url"
            ) from None

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
                auth=NoAuth(),
                timeout=self.policy.timeout,
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as error:
            # Timeouts, refused connections and refused addresses all read the same.
            log.info("registration fetch failed", extra={"error": error.__class__.__name__})
            raise fail(f"The {what} could not be reached.", "platform_unreachable") from None

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
            # Only a 4xx's own short reason (an LMS explaining a refusal); a 5xx, or
            # whatever else answered, is reduced to its status.
            status = response.status_code
            reason = short_reason(refusal_reason(document)) if 400 <= status < 500 else ""
            raise fail(
                f"The {what} answered HTTP {status}" + (f": {reason}" if reason else "."),
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
