"""The Dynamic Registration protocol as pure functions: no server, no database."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.errors import RegistrationFailed
from lti_tool.lti.dynamic_registration import (
    PLATFORM_CONFIGURATION,
    TOOL_CONFIGURATION,
    ToolDescription,
    is_named_issuer,
    parse_platform_configuration,
    parse_registration_response,
    refusal_reason,
    registration_request,
)
from lti_tool.lti.registration_http import FetchPolicy

ISSUER = "https://lms.example.edu"
URL = ISSUER + "/mod/lti/openid-configuration.php"
TOOL = ToolDescription(
    name="Peerlearn",
    description="Peer learning.",
    login_url="https://peerlearn.example/lti/login",
    launch_url="https://peerlearn.example/lti/launch",
    jwks_url="https://peerlearn.example/.well-known/jwks.json",
    scopes=["scope/a", "scope/b"],
)


def document(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/auth",
        "token_endpoint": ISSUER + "/token",
        "jwks_uri": ISSUER + "/certs",
        "registration_endpoint": ISSUER + "/register",
        PLATFORM_CONFIGURATION: {
            "product_family_code": "moodle",
            "version": "4.4",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest", "placements": ["ContentArea"]},
            ],
        },
    }
    for key, value in changes.items():
        if value is None:
            base.pop(key)
        else:
            base[key] = value
    return base


def refused(doc: Any, url: str = URL, *, allow_http: bool = False) -> str:
    with pytest.raises(RegistrationFailed) as caught:
        parse_platform_configuration(doc, configuration_url=url, allow_http=allow_http)
    return caught.value.code


def test_a_complete_configuration_is_read() -> None:
    config = parse_platform_configuration(document(), configuration_url=URL, allow_http=False)
    assert (config.issuer, config.jwks_uri) == (ISSUER, ISSUER + "/certs")
    assert config.product_family_code == "moodle"
    assert config.messages_supported == {
        "LtiResourceLinkRequest": (),
        "LtiDeepLinkingRequest": ("ContentArea",),
    }
    assert config.scopes_supported is None
    assert config.display_name() == "Moodle (lms.example.edu)"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"issuer": None}, "invalid_openid_configuration"),
        ({"issuer": ""}, "invalid_openid_configuration"),
        ({"issuer": "http://lms.example.edu"}, "invalid_issuer"),
        ({"issuer": "https://other.example.edu"}, "issuer_mismatch"),
        ({"authorization_endpoint": None}, "missing_endpoint"),
        ({"token_endpoint": None}, "missing_endpoint"),
        ({"jwks_uri": None}, "missing_endpoint"),
        ({"registration_endpoint": None}, "missing_endpoint"),
        ({"jwks_uri": "http://lms.example.edu/certs"}, "invalid_endpoint"),
        ({"jwks_uri": 42}, "invalid_endpoint"),
        ({PLATFORM_CONFIGURATION: None}, "invalid_openid_configuration"),
        ({PLATFORM_CONFIGURATION: {"version": "1"}}, "invalid_openid_configuration"),
        (
            {"token_endpoint_auth_methods_supported": ["client_secret_basic"]},
            "unsupported_platform",
        ),
        ({"id_token_signing_alg_values_supported": ["ES256"]}, "unsupported_platform"),
        ({"scopes_supported": "openid"}, "invalid_openid_configuration"),
    ],
)
def test_an_invalid_configuration_is_refused(changes: dict[str, Any], code: str) -> None:
    assert refused(document(**changes)) == code


def test_not_an_object_is_refused() -> None:
    assert refused(["issuer"]) == "invalid_openid_configuration"


def test_http_is_accepted_only_when_allowed() -> None:
    http = "http://127.0.0.1:8000"
    doc = document(
        issuer=http,
        authorization_endpoint=http + "/a",
        token_endpoint=http + "/t",
        jwks_uri=http + "/j",
        registration_endpoint=http + "/r",
    )
    assert refused(doc, http + "/config") == "invalid_issuer"
    config = parse_platform_configuration(doc, configuration_url=http + "/config", allow_http=True)
    assert config.issuer == http


@pytest.mark.parametrize(
    ("url", "issuer", "ok"),
    [
        ("https://lms.example/.well-known/openid-configuration", "https://lms.example", True),
        ("https://lms.example/mod/lti/openid-configuration.php", "https://lms.example", True),
        ("https://lms.example/mod/lti/openid-configuration.php", "https://lms.example/", True),
        ("https://LMS.example/mod/lti/openid-configuration.php", "https://lms.example", True),
        (
            "https://lms.example/moodle/mod/lti/openid-configuration.php",
            "https://lms.example/moodle",
            True,
        ),
        (
            "https://lms.example/api/lti/security/openid-configuration?registration_token=t",
            "https://lms.example",
            True,
        ),
        ("https://lms.example?x=1", "https://lms.example", True),
        ("https://lms.example/x", "https://lms.example", True),
        # Only a known configuration path names a longer issuer than the origin.
        ("https://lms.example/moodle/x", "https://lms.example/moodle", False),
        ("https://lms.example/issuer/../x", "https://lms.example/issuer", False),
        (
            "https://lms.example/moodle/pluginfile.php/1/mod/lti/openid-configuration.php",
            "https://lms.example/moodle",
            False,
        ),
        ("https://user@lms.example/x", "https://user@lms.example", False),
        ("https://lms.example.evil/x", "https://lms.example", False),
        ("https://lms.example:444/x", "https://lms.example", False),
        ("https://lms.example/moodle2/x", "https://lms.example/moodle", False),
        ("https://evil.example/https://lms.example", "https://lms.example", False),
    ],
)
def test_the_issuer_is_exactly_the_one_the_configuration_url_names(
    url: str, issuer: str, ok: bool
) -> None:
    assert is_named_issuer(issuer, url) is ok


@given(st.text(alphabet="abcdefghij.:-@/", min_size=1, max_size=12))
def test_no_lookalike_host_passes_the_issuer_check(suffix: str) -> None:
    url = f"https://lms.example{suffix}/mod/lti/openid-configuration.php"
    assert not is_named_issuer("https://lms.example", url)


@pytest.mark.parametrize("name", ["authorization_endpoint", "token_endpoint", "jwks_uri"])
def test_launch_endpoints_must_be_on_the_issuers_host(name: str) -> None:
    doc = document(**{name: "https://sso.attacker.example/x"})
    assert refused(doc) == "endpoint_not_on_issuer_host"
    for listed in ((".attacker.example",), ("sso.attacker.example",)):
        parsed = parse_platform_configuration(
            doc, configuration_url=URL, allow_http=False, endpoint_hosts=listed
        )
        assert parsed.issuer == ISSUER
    with pytest.raises(RegistrationFailed):
        parse_platform_configuration(
            doc, configuration_url=URL, allow_http=False, endpoint_hosts=("attacker.example",)
        )
    lookalike = document(**{name: "https://lms.example.edu.attacker.example/x"})
    assert refused(lookalike) == "endpoint_not_on_issuer_host"


def test_messages_as_plain_strings_and_missing_lists_are_understood() -> None:
    platform = dict(document()[PLATFORM_CONFIGURATION])
    platform["messages_supported"] = ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]
    config = parse_platform_configuration(
        document(**{PLATFORM_CONFIGURATION: platform}), configuration_url=URL, allow_http=False
    )
    assert set(config.messages_supported) == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    del platform["messages_supported"]
    config = parse_platform_configuration(
        document(**{PLATFORM_CONFIGURATION: platform}), configuration_url=URL, allow_http=False
    )
    assert config.messages_supported == {"LtiResourceLinkRequest": ()}


def test_authorization_server_is_kept_only_as_a_url_and_never_for_canvas() -> None:
    def audience(server: str, product: str = "moodle") -> str | None:
        doc = document(authorization_server=server)
        doc[PLATFORM_CONFIGURATION] = {"product_family_code": product}
        parsed = parse_platform_configuration(doc, configuration_url=URL, allow_http=False)
        return parsed.authorization_server

    assert audience("https://auth.example.edu") == "https://auth.example.edu"
    assert audience("auth.example.edu") is None
    assert audience("https://sso.canvaslms.com", "canvas") is None


def request_for(**changes: Any) -> dict[str, Any]:
    config = parse_platform_configuration(
        document(**changes), configuration_url=URL, allow_http=False
    )
    return registration_request(config, TOOL)


def test_the_request_body_for_moodle() -> None:
    body = request_for()
    assert body == {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": TOOL.login_url,
        "redirect_uris": [TOOL.launch_url],
        "client_name": "Peerlearn",
        "jwks_uri": TOOL.jwks_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "scope/a scope/b",
        TOOL_CONFIGURATION: {
            "domain": "peerlearn.example",
            "target_link_uri": TOOL.launch_url,
            "description": "Peer learning.",
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [
                {
                    "type": "LtiResourceLinkRequest",
                    "target_link_uri": TOOL.launch_url,
                    "label": "Peerlearn",
                },
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": TOOL.launch_url,
                    "label": "Add a Peerlearn activity",
                    "placements": ["ContentArea"],
                },
            ],
        },
    }


def test_scopes_and_claims_are_what_the_platform_supports() -> None:
    body = request_for(scopes_supported=["scope/b", "openid"], claims_supported=["sub", "email"])
    assert body["scope"] == "scope/b"
    assert body[TOOL_CONFIGURATION]["claims"] == ["iss", "sub", "email"]


def test_only_supported_message_types_are_asked_for() -> None:
    platform = {"product_family_code": "moodle", "messages_supported": ["LtiResourceLinkRequest"]}
    messages = request_for(**{PLATFORM_CONFIGURATION: platform})[TOOL_CONFIGURATION]["messages"]
    assert [m["type"] for m in messages] == ["LtiResourceLinkRequest"]
    platform["messages_supported"] = ["LtiResourceLinkRequest", "LtiSubmissionReviewRequest"]
    messages = request_for(**{PLATFORM_CONFIGURATION: platform})[TOOL_CONFIGURATION]["messages"]
    assert [m["type"] for m in messages] == ["LtiResourceLinkRequest", "LtiSubmissionReviewRequest"]


def test_canvas_gets_its_placements_and_privacy_level() -> None:
    platform = {
        "product_family_code": "canvas",
        "messages_supported": [
            {"type": "LtiResourceLinkRequest", "placements": ["course_navigation"]},
            # Canvas lists what it offers; assignment_selection is not offered here.
            {"type": "LtiDeepLinkingRequest", "placements": ["link_selection", "editor_button"]},
        ],
    }
    configuration = request_for(**{PLATFORM_CONFIGURATION: platform})[TOOL_CONFIGURATION]
    assert configuration["https://canvas.instructure.com/lti/privacy_level"] == "name_only"
    link, deep = configuration["messages"]
    assert link["placements"] == ["course_navigation"]
    assert link["https://canvas.instructure.com/lti/course_navigation/default_enabled"] is True
    assert deep["placements"] == ["link_selection"]


def test_a_logo_is_sent_when_there_is_one() -> None:
    config = parse_platform_configuration(document(), configuration_url=URL, allow_http=False)
    tool = ToolDescription(**{**TOOL.__dict__, "logo_url": "https://peerlearn.example/logo.png"})
    assert registration_request(config, tool)["logo_uri"] == "https://peerlearn.example/logo.png"
    assert "logo_uri" not in registration_request(config, TOOL)


def test_the_registration_response_is_read() -> None:
    client = parse_registration_response(
        {
            "client_id": 10000000000042,
            "client_name": "Peerlearn",
            TOOL_CONFIGURATION: {"deployment_id": 3},
        }
    )
    assert (client.client_id, client.deployment_id, client.client_name) == (
        "10000000000042",
        "3",
        "Peerlearn",
    )
    assert parse_registration_response({"client_id": "abc"}).deployment_id is None


@pytest.mark.parametrize(
    "answer", [None, [], {"client_id": ""}, {"client_id": True}, {"client_id": "x" * 300}, {}]
)
def test_a_response_without_a_usable_client_id_is_refused(answer: Any) -> None:
    with pytest.raises(RegistrationFailed) as caught:
        parse_registration_response(answer)
    assert (caught.value.code, caught.value.status) == ("invalid_registration_response", 502)


def test_refusal_reasons_in_oauth_and_canvas_shapes() -> None:
    assert refusal_reason({"error": "invalid_client_metadata", "error_description": "bad"}) == (
        "bad; invalid_client_metadata"
    )
    assert refusal_reason({"errors": [{"message": "cannot contain openid"}, "other"]}) == (
        "cannot contain openid; other"
    )
    assert refusal_reason("<html>") == ""
    assert len(refusal_reason({"error": "x" * 1000})) == 300


@pytest.mark.parametrize(
    ("url", "code", "status"),
    [
        ("ftp://lms.example.edu/x", "invalid_registration_url", 400),
        ("file:///etc/passwd", "invalid_registration_url", 400),
        ("https:///no-host", "invalid_registration_url", 400),
        ("http://lms.example.edu/x", "registration_url_not_https", 400),
        ("https://evil.example/x", "registration_host_not_allowed", 403),
        ("https://example.edu.evil.example/x", "registration_host_not_allowed", 403),
    ],
)
def test_the_fetch_policy_refuses(url: str, code: str, status: int) -> None:
    policy = FetchPolicy(allowed_hosts=("lms.example.edu", ".example.edu"))
    with pytest.raises(RegistrationFailed) as caught:
        policy.check(url, "URL")
    assert (caught.value.code, caught.value.status) == (code, status)


def test_the_fetch_policy_accepts() -> None:
    policy = FetchPolicy(allowed_hosts=("lms.example.edu", ".example.edu"))
    assert policy.check("https://lms.example.edu/x", "URL")
    assert policy.check("https://moodle.example.edu/x", "URL")
    assert FetchPolicy(allow_http=True).check("http://127.0.0.1:5000/x", "URL")
