"""The ONE outbound URL policy: every request Peerlearn makes to a URL it did not
configure itself goes through :meth:`OutboundPolicy.check` (and, for LTI Advantage
services, :meth:`OutboundPolicy.check_service_url`) before a byte is sent.

* the URL must read the same to ``urlsplit`` and to urllib3 (what requests uses), with
  no backslash, whitespace, user name, non-ASCII or numeric-trick host, no dot segments
  (``lti_tool.domain.outbound_urls``);
* https only, unless development (``allow_http``);
* the host is resolved and every address checked: loopback, private, link-local,
  unspecified, multicast, reserved and cloud-metadata addresses are refused unless the
  host is listed in ``PEERLEARN_OUTBOUND_ALLOWED_HOSTS`` (development allows loopback so
  the demo LMS and the tests run on 127.0.0.1; metadata addresses are never allowed);
* service URLs from launch claims must be on one of the platform's registered hosts.

Callers send with redirects off (a redirect is an answer, checked again by the caller
if it follows it at all) and never echo a body.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from lti_tool.domain.outbound_urls import (
    OutboundUrl,
    OutboundUrlRefused,
    address_category,
    host_matches,
    parse_outbound_url,
)
from lti_tool.lti.dynamic_registration import refusal_reason
from lti_tool.lti.registrations import PlatformRegistration

log = logging.getLogger("peerlearn.outbound")

Resolver = Callable[[str, int], Sequence[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (what a connection might use)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class NoAuth(AuthBase):
    """Keeps requests from adding ~/.netrc credentials for a host someone else named."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


UNREACHABLE = "could not be reached"


@dataclass(frozen=True)
class OutboundPolicy:
    """Which URLs Peerlearn may fetch. ``development()`` and ``production()`` are the two
    settings-driven shapes; tests build either directly."""

    allow_http: bool = False
    allow_loopback: bool = False
    allowed_hosts: tuple[str, ...] = ()
    resolver: Resolver = field(default=resolve, compare=False)

    @classmethod
    def for_settings(cls, *, development: bool, allowed_hosts: Sequence[str]) -> OutboundPolicy:
        return cls(
            allow_http=development, allow_loopback=development, allowed_hosts=tuple(allowed_hosts)
        )

    def check(self, url: object, *, unresolved_ok: bool = False) -> OutboundUrl:
        """``url`` if Peerlearn may fetch it, else :class:`OutboundUrlRefused`.

        ``unresolved_ok`` is for URLs an administrator configures ahead of time (an LRS):
        a host that does not resolve yet passes, one resolving to a refused address not.

        Refusals for the address a host resolves to say only that the address could not
        be reached, as a closed port would: the page must not tell an internal service
        from a missing one (the log says which).
        """
        parsed = parse_outbound_url(url, allow_http=self.allow_http)
        _same_for_urllib3(parsed)
        try:
            addresses = list(self.resolver(parsed.host, parsed.port))
        except (OSError, UnicodeError):
            if unresolved_ok:
                return parsed
            raise OutboundUrlRefused(
                f"The address {UNREACHABLE}.", code="outbound_unreachable"
            ) from None
        for address in addresses or ["0.0.0.0"]:  # noqa: S104 - no address: unspecified
            category = address_category(address)
            if category is None or self._allowed(parsed.host, category):
                continue
            log.warning(
                "outbound address refused",
                extra={"host": parsed.host, "address": address, "category": category},
            )
            raise OutboundUrlRefused(f"The address {UNREACHABLE}.", code="outbound_unreachable")
        return parsed

    def check_service_url(self, url: object, platform_urls: Sequence[str | None]) -> OutboundUrl:
        """A service URL from a launch claim: on one of the platform's own hosts (issuer,
        login, token or key set URL), and fetchable. Nothing is sent otherwise."""
        parsed = self.check(url)
        hosts = {
            (urlsplit(other).hostname or "").lower()
            for other in platform_urls
            if isinstance(other, str) and other
        }
        if parsed.host not in hosts:
            raise OutboundUrlRefused(
                "The LMS named a service address on a host it was not registered with.",
                code="service_host_not_registered",
            )
        return parsed

    def _allowed(self, host: str, category: str) -> bool:
        if category == "metadata":
            return False
        if host_matches(host, self.allowed_hosts):
            return True
        return self.allow_loopback and category == "loopback"


def _same_for_urllib3(parsed: OutboundUrl) -> None:
    try:
        theirs = parse_url(parsed.url)
    except LocationParseError:
        raise OutboundUrlRefused("The address is not a valid URL.") from None
    host = (theirs.host or "").lower().strip("[]")
    port = theirs.port or (443 if theirs.scheme == "https" else 80)
    if (theirs.scheme, host, port) != parsed.origin or theirs.auth:
        raise OutboundUrlRefused("The address reads differently to different URL parsers.")


def platform_urls(platform: PlatformRegistration) -> list[str | None]:
    """The URLs a platform registration names, whose hosts its services may live on."""
    return [
        platform.issuer,
        platform.auth_login_url,
        platform.auth_token_url,
        platform.jwks_url,
    ]


def refusal_of(response: requests.Response) -> str:
    """What a service's answer may add to an error: for a 4xx, the platform's own short
    reason from a JSON body (OAuth's ``error_description``/``error``, Canvas's
    ``errors``), cleaned; nothing for other statuses or other bodies."""
    if not 400 <= response.status_code < 500:
        return ""
    try:
        document = response.json()
    except ValueError:
        return ""
    return short_reason(refusal_reason(document))


def short_reason(text: object, limit: int = 120) -> str:
    """A platform's own words, made safe to show: printable ASCII only, one line, short."""
    if not isinstance(text, str):
        return ""
    cleaned = "".join(char if 0x20 <= ord(char) <= 0x7E else " " for char in text)
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3] + "..."
