"""The pure half of the outbound URL policy: which URLs and addresses Peerlearn may reach.

Every request Peerlearn makes to a URL it did not configure itself (registration, platform
keys, service tokens, rosters, groups, gradebook, LRS) goes through
``lti_tool.lti.outbound.OutboundPolicy``, which resolves hosts; the rules that need no
network live here:

* :func:`parse_outbound_url` refuses any URL that an HTTP client could read differently
  from ``urllib.parse.urlsplit`` (backslashes, whitespace and control characters, user
  names, non-ASCII, numeric hosts other than a dotted quad, dot segments).
* :func:`address_category` names the kind of internal address an IP is (loopback,
  private, link-local, metadata, ...), or ``None`` for a public one.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lti_tool.domain.errors import PeerlearnError

MAX_URL_LENGTH = 2048
# Cloud instance metadata services: refused even where internal hosts are allowed.
METADATA_ADDRESSES = frozenset(
    {
        ipaddress.ip_address("169.254.169.254"),
        ipaddress.ip_address("169.254.170.2"),
        ipaddress.ip_address("fd00:ec2::254"),
        ipaddress.ip_address("100.100.100.200"),
    }
)
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_HOST = re.compile(
    r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$"
)
_DOTTED_QUAD = re.compile(
    r"^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$"
)
# What inet_aton would take for an address: 2130706433, 0x7f000001, 127.1, 0177.0.0.1.
_NUMERIC_LOOKING = re.compile(r"^(0x[0-9a-f]*|\d+)(\.(0x[0-9a-f]*|\d+)){0,3}\.?$")


class OutboundUrlRefused(PeerlearnError):
    """A URL Peerlearn will not fetch. ``detail`` is safe to show: it never names what a
    fetch found, only what the URL itself is."""

    code = "outbound_url_refused"
    status = 400
    title = "Peerlearn will not contact this address"
    advice = "Check the address your LMS gave. If it is right, tell the Peerlearn administrator."


@dataclass(frozen=True)
class OutboundUrl:
    """A URL that every HTTP client reads the same way."""

    url: str
    scheme: str
    host: str  # lower case, IPv6 without brackets
    port: int

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


def parse_outbound_url(url: object, *, allow_http: bool) -> OutboundUrl:
    """``url`` checked for parser differences, or :class:`OutboundUrlRefused`."""
    if not isinstance(url, str) or not url:
        raise OutboundUrlRefused("The address is empty.")
    if len(url) > MAX_URL_LENGTH:
        raise OutboundUrlRefused("The address is too long.")
    if any(not 0x21 <= ord(char) <= 0x7E for char in url):
        raise OutboundUrlRefused("The address holds spaces, control or non-ASCII characters.")
    if "\\" in url:
        raise OutboundUrlRefused("The address holds a backslash.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise OutboundUrlRefused("The address is not a valid URL.") from None
    if parts.scheme not in ("https", "http"):
        raise OutboundUrlRefused("The address is not an http(s) URL.")
    if parts.scheme == "http" and not allow_http:
        raise OutboundUrlRefused("The address must use https.", code="outbound_url_not_https")
    if "@" in parts.netloc or parts.username is not None:
        raise OutboundUrlRefused("The address holds a user name or password.")
    if parts.fragment or "#" in url:
        raise OutboundUrlRefused("The address holds a fragment.")
    host = (parts.hostname or "").lower()
    if not host:
        raise OutboundUrlRefused("The address names no host.")
    _check_host(host, bracketed=parts.netloc.startswith("["))
    if has_dot_segments(parts.path):
        raise OutboundUrlRefused("The address holds '.' or '..' path segments.")
    return OutboundUrl(
        url=url, scheme=parts.scheme, host=host, port=port or _DEFAULT_PORT[parts.scheme]
    )


_DEFAULT_PORT = {"http": 80, "https": 443}


def has_dot_segments(path: str) -> bool:
    """Whether a path holds ``.`` or ``..`` segments, also percent-encoded."""
    return any(unquote(segment) in (".", "..") for segment in path.split("/"))


def _check_host(host: str, *, bracketed: bool) -> None:
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise OutboundUrlRefused("The address has an invalid IPv6 host.") from None
        return
    if _NUMERIC_LOOKING.match(host) and not _DOTTED_QUAD.match(host):
        # Resolvers read 2130706433, 0x7f000001 or 127.1 as IP addresses; nobody else does.
        raise OutboundUrlRefused("The address names its host as an unusual number.")
    if not _HOST.match(host):
        raise OutboundUrlRefused("The address has an invalid host name.")


def address_category(address: str) -> str | None:
    """What kind of non-public address ``address`` is ("loopback", "metadata", ...), or
    ``None`` for a public one. An IPv4-mapped IPv6 address counts as its IPv4 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "metadata"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)),
        ("reserved", ip.is_reserved or not ip.is_global),
    )
    return next((name for name, found in checks if found), None)


def host_matches(host: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """``host`` is one of ``patterns`` (exact, or ``.example.edu`` for its subdomains)."""
    host = host.lower().rstrip(".")
    return any(
        host == pattern or (pattern.startswith(".") and host.endswith(pattern))
        for pattern in (p.lower().rstrip(".") for p in patterns if p)
    )
