"""The one outbound URL policy through the real clients: LTI Advantage services,
platform keys and Dynamic Registration never send a token, follow a redirect or echo a
body where they should not (issue 12, items 3 and 4)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import requests
from flask import Flask, Response, request

from lti_tool.lti.ags import AgsError
from lti_tool.lti.course_groups import CourseGroupsClient, GroupsError
from lti_tool.lti.nrps import NrpsClient, RosterError
from lti_tool.lti.outbound import OutboundPolicy
from lti_tool.lti.platform_keys import PlatformKeys, PlatformKeysUnavailable
from tests.functional.conftest import LtiWorld
from tests.functional.test_dynamic_registration import Tool, running_tool
from tests.support.registration_platform import running_registration_platform
from tests.support.servers import free_port, serving


@dataclass
class Recorder:
    """Another host (``localhost``, not the LMS's ``127.0.0.1``) that records every
    request and answers like a willing service, or redirects."""

    url: str
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)
    redirect_to: str | None = None


@contextmanager
def recorder() -> Iterator[Recorder]:
    port = free_port()
    recorded = Recorder(url=f"http://localhost:{port}")
    app = Flask("recorder")

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "DELETE"])
    def anything(path: str) -> Response:
        recorded.seen.append((request.method, path, request.headers.get("Authorization")))
        if recorded.redirect_to:
            return Response("", 302, headers={"Location": recorded.redirect_to})
        return Response('{"members": [], "groups": []}', 200, content_type="application/json")

    with serving(app, "127.0.0.1", port):
        yield recorded


def test_a_roster_url_on_another_host_gets_no_bearer_token(world: LtiWorld) -> None:
    platform, _claims = world.teacher_services()
    nrps = NrpsClient(world.services.service_tokens, http=world.services.http)
    with recorder() as foreign, pytest.raises(RosterError) as refused:
        nrps.roster(platform, foreign.url + "/internal/admin")
    assert foreign.seen == []
    assert refused.value.http_status == 400  # a refusal: the roster worker dead-letters it
    assert "not registered" in refused.value.detail


def test_a_line_item_on_another_host_gets_no_score_or_token(world: LtiWorld) -> None:
    platform, _claims = world.teacher_services()
    ags = world.services.service_tokens
    from lti_tool.lti.ags import AgsClient  # noqa: PLC0415

    with recorder() as foreign, pytest.raises(AgsError):
        AgsClient(ags, http=world.services.http).publish_score(
            platform, foreign.url + "/lineitems/1", {"scoreGiven": 1}
        )
    assert foreign.seen == []


def test_a_groups_url_on_another_host_gets_no_token(world: LtiWorld) -> None:
    platform, _claims = world.teacher_services()
    tokens, http = world.services.service_tokens, world.services.http
    groups = CourseGroupsClient(tokens, NrpsClient(tokens, http=http), http=http)
    with recorder() as foreign, pytest.raises(GroupsError):
        groups.groups(platform, foreign.url + "/groups")
    assert foreign.seen == []


def test_a_service_redirect_to_loopback_is_not_followed(world: LtiWorld) -> None:
    platform, _claims = world.teacher_services()
    nrps = NrpsClient(world.services.service_tokens, http=world.services.http)
    with recorder() as target, recorder() as redirector:
        redirector.redirect_to = target.url + "/latest/meta-data/"
        # The redirector is on the LMS's own host (127.0.0.1), so it gets the request...
        on_lms_host = redirector.url.replace("localhost", "127.0.0.1")
        with pytest.raises(RosterError) as refused:
            nrps.roster(platform, on_lms_host + "/memberships")
    assert [method for method, _path, _auth in redirector.seen] == ["GET"]
    assert target.seen == []  # ...but its redirect is an answer, never followed
    assert refused.value.http_status == 302


def test_production_policy_refuses_a_key_set_on_loopback(world: LtiWorld) -> None:
    production_keys = PlatformKeys(
        world.services.sessions, http=requests.Session(), policy=OutboundPolicy(allow_http=True)
    )
    before = world.lms.hits["/jwks.json"]
    with pytest.raises(PlatformKeysUnavailable) as refused:
        production_keys.key_for(world.platform_id, "a-kid-nobody-published")
    assert world.lms.hits["/jwks.json"] == before  # never fetched
    assert "could not be reached" in refused.value.detail


def test_registration_redirect_to_another_host_is_refused(tool: Tool) -> None:
    with recorder() as target:
        with running_registration_platform("moodle", config_redirect=target.url + "/x") as lms:
            page = tool.register(lms)
        assert target.seen == []  # the registration token never travelled there
    assert page.status_code == 502
    assert "Error <code>cross_origin_redirect</code>" in page.text
    assert tool.stored_nothing()


def test_registration_5xx_body_is_never_echoed(tool: Tool) -> None:
    body = b'{"error_description": "DB password hunter2 at 10.0.0.7"}'
    with running_registration_platform(
        "canvas", registration_status=500, registration_body=body
    ) as lms:
        page = tool.register(lms)
    assert page.status_code == 502
    assert "HTTP 500" in page.text
    assert "hunter2" not in page.text
    assert tool.stored_nothing()


def test_a_4xx_reason_is_short_and_clean(tool: Tool) -> None:
    reason = "bad domain " + "x" * 400 + " secret-tail"
    body = ('{"error_description": "' + reason + '\\u001b[31m"}').encode()
    with running_registration_platform(
        "canvas", registration_status=400, registration_body=body
    ) as lms:
        page = tool.register(lms)
    assert "bad domain" in page.text
    assert "secret-tail" not in page.text
    assert "x" * 130 not in page.text
    assert "\x1b" not in page.text


@pytest.fixture
def tool(tmp_path: Path, database_url: str) -> Iterator[Tool]:
    with running_tool(tmp_path, database_url) as running:
        yield running


@pytest.fixture
def guarded(tmp_path: Path, database_url: str) -> Iterator[Tool]:
    """A tool with the production address rules (only 127.0.0.1 listed), http allowed."""
    with running_tool(tmp_path, database_url) as running:
        running.services.outbound = OutboundPolicy(allow_http=True, allowed_hosts=("127.0.0.1",))
        yield running


def test_internal_addresses_read_like_closed_ports(guarded: Tool) -> None:
    closed = free_port()
    urls = [
        f"http://127.0.0.1:{closed}/lti/openid-configuration",  # listed, nothing listening
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        f"http://localhost:{closed}/lti/openid-configuration",  # loopback, not listed
        "http://10.0.0.1/lti/openid-configuration",
    ]
    pages = [
        requests.get(
            guarded.url + "/lti/register", params={"openid_configuration": url}, timeout=30
        )
        for url in urls
    ]
    for page in pages:
        assert page.status_code == 502, page.text
        assert "Error <code>platform_unreachable</code>" in page.text
        assert "could not be reached." in page.text
    assert guarded.stored_nothing()


def test_a_redirect_to_loopback_is_refused_in_registration(guarded: Tool) -> None:
    with recorder() as target:
        with running_registration_platform("moodle", config_redirect=target.url + "/c") as lms:
            page = guarded.register(lms)
        assert target.seen == []
    assert page.status_code == 502
    assert guarded.stored_nothing()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1\\.allowed.test/lti/openid-configuration",
        "http://lms.allowed.test/issuer/../x",
        "http://lms.allowed.test/issuer/%2e%2e/x",
    ],
)
def test_allow_list_bypasses_are_refused_before_any_request(
    tmp_path: Path, database_url: str, url: str
) -> None:
    with running_tool(tmp_path, database_url, registration_allowed_hosts=(".allowed.test",)) as t:
        page = requests.get(
            t.url + "/lti/register", params={"openid_configuration": url}, timeout=30
        )
        assert page.status_code == 400, page.text
        assert "Error <code>invalid_registration_url</code>" in page.text
        assert t.stored_nothing()


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f000001", "127.1", "0177.0.0.1", "lms.example.edu@127.0.0.1"]
)
def test_numeric_hosts_and_user_names_are_refused_before_any_request(
    guarded: Tool, host: str
) -> None:
    with recorder() as target:
        port = target.url.rsplit(":", 1)[1]
        url = f"http://{host}:{port}/lti/openid-configuration"
        page = requests.get(
            guarded.url + "/lti/register", params={"openid_configuration": url}, timeout=30
        )
        assert target.seen == []
    assert page.status_code == 400, page.text
    assert "Error <code>invalid_registration_url</code>" in page.text


def test_a_service_url_on_the_issuers_host_is_still_used(world: LtiWorld) -> None:
    """The other side of the rule: a roster on the issuer's host is read, even when the
    platform's login URL is on another host."""
    platform, claims = world.teacher_services()
    nrps = NrpsClient(world.services.service_tokens, http=world.services.http)
    url = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"][
        "context_memberships_url"
    ]
    moved = replace(platform, auth_login_url="https://elsewhere.example/auth")
    assert len(nrps.roster(moved, url).members) == 5
