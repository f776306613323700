"""The outbound URL rules that need no network: parser differences and address kinds."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.outbound_urls import (
    OutboundUrlRefused,
    address_category,
    has_dot_segments,
    host_matches,
    parse_outbound_url,
)


@pytest.mark.parametrize(
    "url",
    [
        # requests/urllib3 end the host at the backslash: this is 127.0.0.1 to them.
        "http://127.0.0.1\\.allowed.test/config",
        "https://lms.example.edu\\@evil.test/x",
        "https://lms.example.edu/a\\b",
        # Resolvers read these as 127.0.0.1.
        "https://2130706433/x",
        "https://0x7f000001/x",
        "https://127.1/x",
        "https://0177.0.0.1/x",
        "https://127.0.0.01/x",
        # User names, whitespace, control and non-ASCII characters.
        "https://user:pass@lms.example.edu/x",
        "https://lms.example.edu@127.0.0.1/x",
        "https://lms.example.edu /x",
        "https://lms.example.edu/x y",
        "https://lms.example.edu/\tx",
        "https://lms.example.edu\r\n/x",
        "https://lms.example.edu/\x00",
        "https://lms.ex\u0430mple.edu/x",
        "https://\uff4c\uff4d\uff53.example.edu/x",  # fullwidth letters
        # Dot segments: a prefix test on ".../issuer/../x" fetches "/x".
        "https://lms.example.edu/issuer/../x",
        "https://lms.example.edu/issuer/./x",
        "https://lms.example.edu/issuer/%2e%2e/x",
        "https://lms.example.edu/issuer/%2E./x",
        # Not a web URL at all.
        "",
        "file:///etc/passwd",
        "gopher://lms.example.edu/x",
        "https:///no-host",
        "https://lms.example.edu:99999/x",
        "https://lms.example.edu/x#fragment",
        "https://[::1/x",
        "https://under_score.example/x",
    ],
)
def test_urls_a_client_could_read_differently_are_refused(url: str) -> None:
    with pytest.raises(OutboundUrlRefused):
        parse_outbound_url(url, allow_http=True)


def test_plain_http_only_when_allowed() -> None:
    with pytest.raises(OutboundUrlRefused) as refused:
        parse_outbound_url("http://lms.example.edu/x", allow_http=False)
    assert refused.value.code == "outbound_url_not_https"
    assert parse_outbound_url("http://lms.example.edu/x", allow_http=True).port == 80


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("https://lms.example.edu/api/lti/jwks", "lms.example.edu", 443),
        ("https://LMS.Example.edu:8443/x?a=b&c=%2F", "lms.example.edu", 8443),
        ("https://127.0.0.1:5000/x", "127.0.0.1", 5000),
        ("https://[2001:db8::1]/x", "2001:db8::1", 443),
        ("https://canvas.instructure.com/api/lti/courses/1/names_and_roles", None, 443),
        ("https://lms.example.edu/x..y/.hidden", "lms.example.edu", 443),
    ],
)
def test_ordinary_urls_pass(url: str, host: str | None, port: int) -> None:
    parsed = parse_outbound_url(url, allow_http=False)
    assert parsed.port == port
    if host is not None:
        assert parsed.host == host


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.0.0.5", "private"),
        ("172.16.3.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to classify, not to bind
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("93.184.216.34", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_address_categories(address: str, category: str | None) -> None:
    assert address_category(address) == category


@given(st.ip_addresses())
def test_every_address_is_public_only_when_global(address: ipaddress._BaseAddress) -> None:
    category = address_category(str(address))
    mapped = getattr(address, "ipv4_mapped", None) or address
    if category is None:
        assert mapped.is_global
        assert not mapped.is_reserved
        assert not mapped.is_multicast
    if not mapped.is_global:
        assert category is not None


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_no_numeric_host_but_a_dotted_quad(number: int) -> None:
    for host in (str(number), hex(number)):
        with pytest.raises(OutboundUrlRefused):
            parse_outbound_url(f"https://{host}/x", allow_http=False)
    quad = str(ipaddress.IPv4Address(number))
    assert parse_outbound_url(f"https://{quad}/x", allow_http=False).host == quad


@given(st.text(alphabet="abc./%2eE", max_size=20))
def test_dot_segments_are_found_however_written(path: str) -> None:
    segments = path.split("/")
    decoded = [s.replace("%2e", ".").replace("%2E", ".") for s in segments]
    assert has_dot_segments(path) == any(s in (".", "..") for s in decoded)


def test_host_patterns() -> None:
    assert host_matches("lms.example.edu", ("lms.example.edu",))
    assert host_matches("a.example.edu", (".example.edu",))
    assert not host_matches("example.edu.evil.test", (".example.edu",))
    assert not host_matches("lms.example.edu", ())
