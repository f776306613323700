"""LTI Dynamic Registration against Moodle- and Canvas-shaped platforms on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from lti_tool import create_app
from lti_tool.cli.main import main
from lti_tool.persistence.models import Deployment, Platform
from lti_tool.services import Services
from tests.conftest import make_settings
from tests.support.browser import Browser
from tests.support.keys import install_tool_keys
from tests.support.registration_platform import (
    DELETE,
    NRPS,
    PLATFORM,
    TOOL,
    RegistrationPlatform,
    running_registration_platform,
)
from tests.support.servers import free_port, serving

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
CLOSE_SCRIPT = "/static/registration_close.js"


@dataclass
class Tool:
    url: str
    app: Flask

    @property
    def services(self) -> Services:
        services: Services = self.app.extensions["peerlearn"]
        return services

    def register(self, platform: RegistrationPlatform, **params: str) -> requests.Response:
        query = {
            "openid_configuration": platform.openid_configuration_url,
            "registration_token": platform.token,
            **params,
        }
        return requests.get(
            self.url + "/lti/register", params=query, timeout=30, headers={"Accept": "text/html"}
        )

    def platforms(self) -> list[Platform]:
        with self.services.sessions() as session:
            rows = session.scalars(select(Platform).order_by(Platform.id)).all()
            for row in rows:
                _ = row.deployments  # loaded while the session is open
            return list(rows)

    def stored_nothing(self) -> bool:
        with self.services.sessions() as session:
            platforms = session.scalar(select(func.count()).select_from(Platform))
            deployments = session.scalar(select(func.count()).select_from(Deployment))
        return (platforms, deployments) == (0, 0)


@contextmanager
def running_tool(tmp_path: Path, database_url: str, **changes: Any) -> Iterator[Tool]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = make_settings(tmp_path, database_url=database_url, base_url=url, **changes)
    install_tool_keys(settings.keys_dir)
    app = create_app(settings)
    with serving(app, "127.0.0.1", port):
        yield Tool(url=url, app=app)
    app.extensions["peerlearn"].close()


@pytest.fixture
def tool(tmp_path: Path, database_url: str) -> Iterator[Tool]:
    with running_tool(tmp_path, database_url) as running:
        yield running


def test_moodle_registration_request_field_by_field(tool: Tool) -> None:
    with running_registration_platform("moodle") as moodle:
        page = tool.register(moodle)
    assert page.status_code == 200, page.text
    assert moodle.config_requests == [f"Bearer {moodle.token}"]
    [received] = moodle.registrations
    assert received.authorization == f"Bearer {moodle.token}"
    assert received.content_type == "application/json"
    body = received.body
    launch = tool.url + "/lti/launch"
    assert set(body) == {
        "application_type",
        "response_types",
        "grant_types",
        "initiate_login_uri",
        "redirect_uris",
        "client_name",
        "jwks_uri",
        "token_endpoint_auth_method",
        "scope",
        TOOL,
    }
    assert body["application_type"] == "web"
    assert body["response_types"] == ["id_token"]
    assert body["grant_types"] == ["implicit", "client_credentials"]
    assert body["initiate_login_uri"] == tool.url + "/lti/login"
    assert body["redirect_uris"] == [launch]
    assert body["client_name"] == "Peerlearn"
    assert body["jwks_uri"] == tool.url + "/.well-known/jwks.json"
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    assert body["scope"].split() == [
        AGS + "lineitem",
        AGS + "lineitem.readonly",
        AGS + "result.readonly",
        AGS + "score",
        NRPS,
    ]
    configuration = body[TOOL]
    assert configuration["domain"] == "127.0.0.1"
    assert configuration["target_link_uri"] == launch
    assert configuration["description"].startswith("Peer learning")
    assert configuration["claims"] == ["iss", "sub", "name", "given_name", "family_name", "email"]
    assert configuration["messages"] == [
        {"type": "LtiResourceLinkRequest", "target_link_uri": launch, "label": "Peerlearn"},
        {
            "type": "LtiDeepLinkingRequest",
            "target_link_uri": launch,
            "label": "Add a Peerlearn activity",
            "placements": ["ContentArea"],
        },
    ]
    assert not any(key.startswith("https://canvas.instructure.com") for key in configuration)


def test_moodle_registration_stores_platform_and_deployment(tool: Tool) -> None:
    with running_registration_platform("moodle", deployment_id="12") as moodle:
        page = tool.register(moodle)
    assert page.status_code == 200
    [platform] = tool.platforms()
    assert platform.issuer == moodle.base_url
    assert platform.client_id == "client-from-dr"
    assert platform.auth_login_url == moodle.base_url + "/mod/lti/auth.php"
    assert platform.auth_token_url == moodle.base_url + "/mod/lti/token.php"
    assert platform.jwks_url == moodle.base_url + "/mod/lti/certs.php"
    assert platform.auth_audience is None
    assert platform.name == "Moodle (127.0.0.1)"
    assert platform.active is True
    assert [d.deployment_id for d in platform.deployments] == ["12"]
    found = tool.services.registrations.find(moodle.base_url, "client-from-dr")
    assert found is not None
    assert found.deployments == {"12": platform.deployments[0].id}
    # The close page: in the LMS's frame, scripts only from us.
    assert "Peerlearn is registered" in page.text
    assert "awaiting approval" not in page.text
    assert CLOSE_SCRIPT in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.text  # no inline script
    script = requests.get(tool.url + CLOSE_SCRIPT, timeout=10)
    assert script.status_code == 200
    assert "org.imsglobal.lti.close" in script.text
    assert "postMessage" in script.text
    assert "window.opener || window.parent" in script.text


def test_canvas_registration(tool: Tool) -> None:
    with running_registration_platform(
        "canvas",
        client_id="10000000000042",
        deployment_id="42:8865aa05b4b79b64a91a86042e43af5ea8ae79eb",
    ) as canvas:
        page = tool.register(canvas)
    assert page.status_code == 200, page.text
    # Canvas names the token in the configuration URL as well; we send it as Bearer too.
    assert canvas.config_requests == [f"Bearer {canvas.token}"]
    [received] = canvas.registrations
    assert received.authorization == f"Bearer {canvas.token}"
    body = received.body
    launch = tool.url + "/lti/launch"
    configuration = body[TOOL]
    assert configuration["https://canvas.instructure.com/lti/privacy_level"] == "name_only"
    # Canvas lists no iss in claims_supported; every token has one anyway.
    assert configuration["claims"] == ["iss", "sub", "name", "given_name", "family_name", "email"]
    assert configuration["messages"] == [
        {
            "type": "LtiResourceLinkRequest",
            "target_link_uri": launch,
            "label": "Peerlearn",
            "placements": ["course_navigation"],
            "https://canvas.instructure.com/lti/course_navigation/default_enabled": True,
        },
        {
            "type": "LtiDeepLinkingRequest",
            "target_link_uri": launch,
            "label": "Add a Peerlearn activity",
            "placements": ["link_selection", "assignment_selection"],
        },
    ]
    assert body["scope"].split() == [
        AGS + "lineitem",
        AGS + "lineitem.readonly",
        AGS + "result.readonly",
        AGS + "score",
        NRPS,
    ]
    [platform] = tool.platforms()
    assert (platform.issuer, platform.client_id) == (canvas.base_url, "10000000000042")
    assert platform.auth_login_url == canvas.base_url + "/api/lti/authorize_redirect"
    assert platform.auth_token_url == canvas.base_url + "/login/oauth2/token"
    assert platform.jwks_url == canvas.base_url + "/api/lti/security/jwks"
    # Canvas's authorization_server is a bare host; its token URL stays the audience.
    assert platform.auth_audience is None
    assert platform.name == "Canvas (Example University)"
    assert [d.deployment_id for d in platform.deployments] == [
        "42:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"
    ]
    assert "42:8865aa05b4b79b64a91a86042e43af5ea8ae79eb" in page.text


def test_scopes_claims_and_messages_follow_what_the_platform_offers(tool: Tool) -> None:
    platform_configuration = {
        "product_family_code": "ExampleLMS",
        "messages_supported": [
            {"type": "LtiResourceLinkRequest"},
            {"type": "LtiSubmissionReviewRequest"},
        ],
    }
    with running_registration_platform(
        "moodle",
        overrides={
            "scopes_supported": [AGS + "score", "openid"],
            "claims_supported": ["sub", "iss", "name"],
            "authorization_server": "https://auth.lms.example",
            PLATFORM: platform_configuration,
        },
    ) as lms:
        assert tool.register(lms).status_code == 200
    body = lms.registrations[0].body
    assert body["scope"] == AGS + "score"
    assert body[TOOL]["claims"] == ["iss", "sub", "name"]
    assert [m["type"] for m in body[TOOL]["messages"]] == [
        "LtiResourceLinkRequest",
        "LtiSubmissionReviewRequest",
    ]
    [platform] = tool.platforms()
    assert platform.auth_audience == "https://auth.lms.example"
    assert platform.name == "ExampleLMS (127.0.0.1)"


def launch_as(lms: RegistrationPlatform, person: str) -> Browser:
    """A learner's whole launch from ``lms``: login, the LMS's auth answer, the launch."""
    assert lms.lms is not None
    browser = Browser()
    login = browser.get(lms.lms.login_url(person, storage=False))
    assert login.status == 200, login.text
    action, fields = login.form()
    launched = browser.post(action, fields)
    assert launched.status == 200, launched.text
    assert launched.meta("peerlearn-session")
    return browser


def stored_urls(tool: Tool) -> list[tuple[str, str, str, str, str, bool]]:
    return [
        (p.issuer, p.client_id, p.auth_login_url, p.auth_token_url, p.jwks_url, p.active)
        for p in tool.platforms()
    ]


@pytest.mark.parametrize("approval", [False, True])
def test_registration_never_takes_over_a_registered_platform(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, approval: bool
) -> None:
    """Issue 12 item 1: an attacker's configuration naming the real issuer and client id."""
    with (
        running_tool(
            tmp_path,
            database_url,
            registration_approval=approval,
            registration_allowed_hosts=("127.0.0.1",),
        ) as tool,
        running_registration_platform(
            "moodle", with_lms_for=tool.url, key_dir=tmp_path, client_id="dr-client"
        ) as lms,
    ):
        assert tool.register(lms).status_code == 200
        [platform] = tool.platforms()
        if approval:
            monkeypatch.setenv("PEERLEARN_DATABASE_URL", database_url)
            monkeypatch.setenv("PEERLEARN_INSTANCE_DIR", str(tmp_path / "instance"))
            assert main(["platform", "approve", str(platform.id)]) == 0
        before = stored_urls(tool)
        launch_as(lms, "demo-learner-1")
        registrations = len(lms.registrations)

        # A document the LMS's host serves names its issuer and client id, with endpoints
        # of the attacker's (another port of the same, allowed host).
        attacker = f"http://127.0.0.1:{free_port()}"
        lms.overrides = {
            "authorization_endpoint": attacker + "/authorize",
            "token_endpoint": attacker + "/token",
            "jwks_uri": attacker + "/jwks.json",
        }
        page = tool.register(lms)
        assert page.status_code == 409, page.text
        assert "text/html" in page.headers["Content-Type"]
        assert "Error <code>platform_already_registered</code>" in page.text
        assert f"peerlearn platform show {platform.id}" in page.text
        assert f"peerlearn platform update {platform.id}" in page.text
        assert "updated" not in page.text
        assert len(lms.registrations) == registrations  # the LMS was never asked
        assert stored_urls(tool) == before
        lms.overrides = {}

        # The real LMS launches as before; registering it again changes nothing either.
        launch_as(lms, "demo-learner-1")
        again = tool.register(lms)
        assert again.status_code == 409
        assert stored_urls(tool) == before


def test_an_issuer_with_a_registration_gets_no_second_client(tool: Tool) -> None:
    """Canvas shares one issuer between schools: a new client id of a known issuer is
    refused too (it would also make logins that name no client id ambiguous)."""
    with running_registration_platform("canvas", client_id="10000000000001") as canvas:
        assert tool.register(canvas).status_code == 200
        before = stored_urls(tool)
        canvas.client_id = "10000000000002"
        page = tool.register(canvas)
        assert page.status_code == 409
        assert "Error <code>platform_already_registered</code>" in page.text
        assert len(canvas.registrations) == 1
    assert stored_urls(tool) == before


def test_the_issuer_must_be_the_one_the_configuration_url_names(tool: Tool) -> None:
    """A longer issuer than the URL names (once accepted as a mere prefix) is refused."""
    with running_registration_platform("moodle") as lms:
        lms.overrides = {"issuer": lms.base_url + "/mod"}
        page = tool.register(lms)
        assert page.status_code == 502
        assert "Error <code>issuer_mismatch</code>" in page.text
        assert lms.registrations == []
    assert tool.stored_nothing()


@pytest.mark.parametrize("endpoint", ["authorization_endpoint", "token_endpoint", "jwks_uri"])
def test_launch_endpoints_must_be_on_the_issuers_host(
    tmp_path: Path, database_url: str, endpoint: str
) -> None:
    elsewhere = f"http://localhost:{free_port()}/elsewhere"
    with running_tool(tmp_path, database_url) as tool:
        with running_registration_platform("moodle", overrides={endpoint: elsewhere}) as lms:
            page = tool.register(lms)
            assert page.status_code == 502
            assert "Error <code>endpoint_not_on_issuer_host</code>" in page.text
            assert "PEERLEARN_REGISTRATION_ALLOWED_HOSTS" in page.text
            assert lms.registrations == []
        assert tool.stored_nothing()
    listed = ("127.0.0.1", "localhost")
    with (
        running_tool(tmp_path / "b", database_url, registration_allowed_hosts=listed) as tool,
        running_registration_platform("moodle", overrides={endpoint: elsewhere}) as lms,
    ):
        assert tool.register(lms).status_code == 200


def test_registration_without_deployment_id_says_how_to_add_one(tool: Tool) -> None:
    with running_registration_platform("moodle", deployment_id=None) as moodle:
        page = tool.register(moodle)
    assert page.status_code == 200
    [platform] = tool.platforms()
    assert platform.deployments == []
    assert f"peerlearn platform add-deployment {platform.id}" in page.text


def test_approval_required_blocks_launches_until_approved(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with (
        running_tool(tmp_path, database_url, registration_approval=True) as tool,
        running_registration_platform(
            "moodle", with_lms_for=tool.url, key_dir=tmp_path, client_id="dr-client"
        ) as lms,
    ):
        page = tool.register(lms)
        assert page.status_code == 200
        assert "awaiting approval" in page.text
        assert "peerlearn platform approve" in page.text
        assert 'data-auto-close="false"' in page.text
        [platform] = tool.platforms()
        assert platform.active is False

        assert lms.lms is not None
        browser = Browser()
        refused = browser.get(lms.lms.login_url("demo-learner-1"))
        assert refused.status == 403
        assert refused.error_code() == "registration_pending"
        assert "awaits approval" in refused.text
        assert f"peerlearn platform approve {platform.id}" in refused.text

        monkeypatch.setenv("PEERLEARN_DATABASE_URL", database_url)
        monkeypatch.setenv("PEERLEARN_INSTANCE_DIR", str(tmp_path / "instance"))
        assert main(["platform", "approve", str(platform.id)]) == 0

        # Pending registrations are never cached: the approval works at once.
        login = browser.get(lms.lms.login_url("demo-learner-1"))
        assert login.status == 200, login.text
        action, fields = login.form()
        launched = browser.post(action, fields)
        assert launched.status == 200, launched.text
        assert launched.meta("peerlearn-session")


@pytest.mark.parametrize("storage", [False, True])
@pytest.mark.parametrize("with_client_id", [True, False])
def test_a_pending_platforms_login_is_never_redirected(
    tmp_path: Path, database_url: str, storage: bool, with_client_id: bool
) -> None:
    """Issue 12 item 7: no login goes to a platform's authorization endpoint (an open
    redirect for whoever registered it) until the platform is active and approved."""
    with (
        running_tool(tmp_path, database_url, registration_approval=True) as tool,
        running_registration_platform(
            "moodle", with_lms_for=tool.url, key_dir=tmp_path, client_id="dr-client"
        ) as lms,
    ):
        assert tool.register(lms).status_code == 200
        [platform] = tool.platforms()
        assert lms.lms is not None
        url = lms.lms.login_url("demo-learner-1", storage=storage)
        if not with_client_id:
            parts = urlsplit(url)
            query = [(k, v) for k, v in parse_qsl(parts.query) if k != "client_id"]
            url = urlunsplit(parts._replace(query=urlencode(query)))
        response = requests.get(url, allow_redirects=False, timeout=30)
        assert response.status_code == 403
        assert "Location" not in response.headers
        assert "text/html" in response.headers["Content-Type"]
        assert "Error <code>registration_pending</code>" in response.text
        assert platform.auth_login_url not in response.text
        assert "/authorize" not in response.text


def post_of(platform: RegistrationPlatform) -> int:
    return len(platform.registrations)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"config_body": b"this is not json"}, "invalid_json"),
        ({"config_body": b"[1, 2]"}, "invalid_openid_configuration"),
        ({"overrides": {"issuer": "http://127.0.0.1:1"}}, "issuer_mismatch"),
        ({"overrides": {"issuer": DELETE}}, "invalid_openid_configuration"),
        ({"overrides": {"registration_endpoint": DELETE}}, "missing_endpoint"),
        ({"overrides": {"jwks_uri": DELETE}}, "missing_endpoint"),
        ({"overrides": {"token_endpoint": "ftp://lms/token"}}, "invalid_endpoint"),
        ({"overrides": {PLATFORM: DELETE}}, "invalid_openid_configuration"),
        ({"config_redirect": "file:///etc/passwd"}, "invalid_registration_url"),
        ({"config_body": b" " * (1024 * 1024 + 10)}, "response_too_large"),
    ],
)
def test_an_unusable_configuration_stores_nothing(
    tool: Tool, changes: dict[str, Any], code: str
) -> None:
    with running_registration_platform("moodle", **changes) as lms:
        page = tool.register(lms)
        registrations = post_of(lms)
    expected = 400 if code == "invalid_registration_url" else 502
    assert page.status_code == expected, page.text
    assert "text/html" in page.headers["Content-Type"]
    assert f"Error <code>{code}</code>" in page.text
    assert "Traceback" not in page.text
    assert registrations == 0
    assert tool.stored_nothing()


@pytest.mark.parametrize(
    ("status", "body", "shown"),
    [
        (
            400,
            b'{"error": "invalid_client_metadata", "error_description": "bad domain"}',
            "bad domain",
        ),
        (
            422,
            b'{"errors": [{"field": "scopes", "message": "cannot contain openid"}]}',
            "cannot contain openid",
        ),
        (500, b"<html>oops</html>", "HTTP 500"),
        (200, b"not json", "did not answer with JSON"),
        (200, b'{"client_name": "no client id"}', "no client_id"),
    ],
)
def test_a_refused_registration_stores_nothing(
    tool: Tool, status: int, body: bytes, shown: str
) -> None:
    with running_registration_platform(
        "canvas", registration_status=status, registration_body=body
    ) as lms:
        page = tool.register(lms)
    assert page.status_code == 502
    assert "text/html" in page.headers["Content-Type"]
    assert shown in page.text
    assert "<html>oops" not in page.text  # a platform's page is never echoed
    assert tool.stored_nothing()


def test_a_wrong_registration_token_is_the_platforms_refusal(tool: Tool) -> None:
    with running_registration_platform("moodle") as lms:
        page = tool.register(lms, registration_token="stolen")
    assert page.status_code == 502
    assert "HTTP 401" in page.text
    assert tool.stored_nothing()


def test_unreachable_platform(tool: Tool) -> None:
    url = f"http://127.0.0.1:{free_port()}/mod/lti/openid-configuration.php"
    page = requests.get(
        tool.url + "/lti/register", params={"openid_configuration": url}, timeout=30
    )
    assert page.status_code == 502
    assert "Error <code>platform_unreachable</code>" in page.text
    assert tool.stored_nothing()


@pytest.mark.parametrize(
    "url", ["", "not a url", "file:///etc/passwd", "javascript:alert(1)", "http:///nohost"]
)
def test_bad_configuration_urls_are_refused(tool: Tool, url: str) -> None:
    page = requests.get(
        tool.url + "/lti/register", params={"openid_configuration": url}, timeout=30
    )
    assert page.status_code == 400
    assert "text/html" in page.headers["Content-Type"]
    assert tool.stored_nothing()


def test_production_refuses_plain_http(tmp_path: Path, database_url: str) -> None:
    from config import Environment  # noqa: PLC0415

    with (
        running_tool(tmp_path, database_url, env=Environment.PRODUCTION) as tool,
        running_registration_platform("moodle") as lms,
    ):
        page = tool.register(lms)
        assert page.status_code == 400
        assert "Error <code>registration_url_not_https</code>" in page.text
        assert lms.config_requests == []  # never fetched
        assert tool.stored_nothing()


def test_only_allowed_hosts_may_register(tmp_path: Path, database_url: str) -> None:
    with (
        running_tool(
            tmp_path, database_url, registration_allowed_hosts=("moodle.example.edu",)
        ) as tool,
        running_registration_platform("moodle") as lms,
    ):
        page = tool.register(lms)
        assert page.status_code == 403
        assert "Error <code>registration_host_not_allowed</code>" in page.text
        assert lms.config_requests == []
        assert tool.stored_nothing()
    with (
        running_tool(
            tmp_path / "b", database_url, registration_allowed_hosts=("127.0.0.1",)
        ) as tool,
        running_registration_platform("moodle") as lms,
    ):
        assert tool.register(lms).status_code == 200


def test_registration_endpoint_on_a_host_not_allowed_is_refused(
    tmp_path: Path, database_url: str
) -> None:
    with (
        running_tool(tmp_path, database_url, registration_allowed_hosts=("127.0.0.1",)) as tool,
        running_registration_platform(
            "moodle", overrides={"registration_endpoint": "http://localhost:1/register"}
        ) as lms,
    ):
        page = tool.register(lms)
        assert page.status_code == 403
        assert lms.registrations == []
        assert tool.stored_nothing()


def test_errors_as_problem_documents_for_json_clients(tool: Tool) -> None:
    page = requests.get(
        tool.url + "/lti/register", headers={"Accept": "application/json"}, timeout=30
    )
    assert page.status_code == 400
    assert json.loads(page.text)["code"] == "missing_openid_configuration"
