"""The one outbound policy, with a fake resolver: which addresses may be reached."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from lti_tool.domain.outbound_urls import OutboundUrlRefused
from lti_tool.lti.outbound import OutboundPolicy, short_reason

DNS = {
    "lms.example.edu": ["93.184.216.34"],
    "localhost": ["127.0.0.1", "::1"],
    "intranet.example.edu": ["10.1.2.3"],
    "rebind.example.test": ["93.184.216.34", "127.0.0.1"],
    "metadata.example.test": ["169.254.169.254"],
}


def resolver(host: str, _port: int) -> Sequence[str]:
    if host in DNS:
        return DNS[host]
    try:
        import ipaddress  # noqa: PLC0415

        return [str(ipaddress.ip_address(host))]
    except ValueError:
        raise OSError("unknown host") from None


PRODUCTION = OutboundPolicy(resolver=resolver)
DEVELOPMENT = OutboundPolicy(allow_http=True, allow_loopback=True, resolver=resolver)


@pytest.mark.parametrize(
    "url",
    [
        "https://localhost/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://intranet.example.edu/x",
        "https://rebind.example.test/x",  # one internal address is enough
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "https://metadata.example.test/x",
        "https://0.0.0.0/x",
        "https://nowhere.example.test/x",
    ],
)
def test_production_refuses_internal_addresses_like_an_unreachable_host(url: str) -> None:
    with pytest.raises(OutboundUrlRefused) as refused:
        PRODUCTION.check(url)
    # The same words as a host that does not resolve: nothing to map a network with.
    assert (refused.value.code, refused.value.detail) == (
        "outbound_unreachable",
        "The address could not be reached.",
    )


def test_production_refuses_http_before_resolving() -> None:
    asked: list[str] = []
    policy = OutboundPolicy(resolver=lambda host, _port: asked.append(host) or ["93.184.216.34"])
    with pytest.raises(OutboundUrlRefused):
        policy.check("http://lms.example.edu/x")
    assert asked == []


def test_development_allows_loopback_only() -> None:
    assert DEVELOPMENT.check("http://127.0.0.1:5000/x").port == 5000
    assert DEVELOPMENT.check("http://localhost:5000/x").host == "localhost"
    for url in ("http://intranet.example.edu/x", "http://169.254.169.254/"):
        with pytest.raises(OutboundUrlRefused):
            DEVELOPMENT.check(url)


def test_listed_hosts_may_be_internal_but_never_metadata() -> None:
    policy = OutboundPolicy(
        allowed_hosts=(".example.edu", "metadata.example.test"), resolver=resolver
    )
    assert policy.check("https://intranet.example.edu/x").host == "intranet.example.edu"
    with pytest.raises(OutboundUrlRefused):
        policy.check("https://metadata.example.test/x")
    with pytest.raises(OutboundUrlRefused):
        policy.check("https://localhost/x")


def test_unresolved_hosts_pass_only_when_configured_ahead() -> None:
    assert PRODUCTION.check("https://lrs.example.test/xAPI", unresolved_ok=True)
    with pytest.raises(OutboundUrlRefused):
        PRODUCTION.check("https://intranet.example.edu/xAPI", unresolved_ok=True)


def test_service_urls_must_be_on_the_platforms_hosts() -> None:
    registered = [
        "https://lms.example.edu",
        "https://lms.example.edu/auth",
        "https://lms.example.edu/token",
        None,
    ]
    ok = PRODUCTION.check_service_url("https://lms.example.edu/api/lti/memberships", registered)
    assert ok.host == "lms.example.edu"
    with pytest.raises(OutboundUrlRefused) as refused:
        PRODUCTION.check_service_url("https://93.184.216.34/api/lti/memberships", registered)
    assert refused.value.code == "service_host_not_registered"


def test_the_settings_shapes() -> None:
    production = OutboundPolicy.for_settings(development=False, allowed_hosts=["lms.local"])
    assert (production.allow_http, production.allow_loopback) == (False, False)
    assert production.allowed_hosts == ("lms.local",)
    development = OutboundPolicy.for_settings(development=True, allowed_hosts=[])
    assert (development.allow_http, development.allow_loopback) == (True, True)


def test_reasons_are_short_clean_lines() -> None:
    assert short_reason("bad\x1b[31m\ndomain\u202e" + "x" * 500).startswith("bad [31m domain")
    assert len(short_reason("y" * 500)) == 120
    assert short_reason(None) == ""
