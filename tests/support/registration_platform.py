"""An LMS's side of LTI Dynamic Registration, on loopback, shaped like Moodle or Canvas.

It serves an OpenID configuration and a registration endpoint as Moodle 4.x
(``/mod/lti/openid-configuration.php``, Bearer token required on both) and Canvas
(``/api/lti/security/openid-configuration?registration_token=...``, its answer echoing
the request with a ``registration_config_url``) do, and records what it receives. With
``lms`` set it also is a working LMS (the demo platform's OIDC endpoints), so a launch
can follow the registration.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request

from lti_tool.demo.platform import DemoPlatform
from lti_tool.demo.web import build_demo_platform, lms_blueprint
from tests.support.servers import free_port, serving

PLATFORM = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL = "https://purl.imsglobal.org/spec/lti-tool-configuration"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
DELETE = object()  # an override that removes a key from the configuration


@dataclass
class Received:
    authorization: str | None
    body: Any
    content_type: str | None


@dataclass
class RegistrationPlatform:
    flavour: str  # "moodle" or "canvas"
    base_url: str
    token: str = "registration-token-1"
    client_id: str = "client-from-dr"
    deployment_id: str | None = "7"
    # Changes to the served configuration (DELETE removes a key); config_body replaces it.
    overrides: dict[str, Any] = field(default_factory=dict)
    config_body: bytes | None = None
    config_redirect: str | None = None
    registration_status: int = 200
    registration_body: bytes | None = None
    lms: DemoPlatform | None = None
    config_requests: list[str | None] = field(default_factory=list)
    registrations: list[Received] = field(default_factory=list)

    @property
    def openid_configuration_url(self) -> str:
        if self.flavour == "canvas":
            query = urlencode({"registration_token": self.token})
            return f"{self.base_url}/api/lti/security/openid-configuration?{query}"
        return f"{self.base_url}/mod/lti/openid-configuration.php"

    @property
    def registration_endpoint(self) -> str:
        if self.flavour == "canvas":
            return self.base_url + "/api/lti/registrations"
        return self.base_url + "/mod/lti/openid-registration.php"

    def endpoints(self) -> dict[str, str]:
        if self.lms is not None:  # the demo LMS's own OIDC endpoints
            return {
                "authorization_endpoint": self.base_url + "/authorize",
                "token_endpoint": self.base_url + "/token",
                "jwks_uri": self.base_url + "/jwks.json",
            }
        if self.flavour == "canvas":
            return {
                "authorization_endpoint": self.base_url + "/api/lti/authorize_redirect",
                "token_endpoint": self.base_url + "/login/oauth2/token",
                "jwks_uri": self.base_url + "/api/lti/security/jwks",
            }
        return {
            "authorization_endpoint": self.base_url + "/mod/lti/auth.php",
            "token_endpoint": self.base_url + "/mod/lti/token.php",
            "jwks_uri": self.base_url + "/mod/lti/certs.php",
        }

    def configuration(self) -> dict[str, Any]:
        document = self._canvas() if self.flavour == "canvas" else self._moodle()
        for key, value in self.overrides.items():
            if value is DELETE:
                document.pop(key, None)
            else:
                document[key] = value
        return document

    def _common(self) -> dict[str, Any]:
        return {
            "issuer": self.base_url,
            **self.endpoints(),
            "registration_endpoint": self.registration_endpoint,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def _moodle(self) -> dict[str, Any]:
        # As Moodle 4.3's mod/lti/openid-configuration.php answers.
        return {
            **self._common(),
            "scopes_supported": [
                AGS + "lineitem",
                AGS + "lineitem.readonly",
                AGS + "result.readonly",
                AGS + "score",
                "https://purl.imsglobal.org/spec/lti-reg/scope/registration",
                NRPS,
                "https://purl.imsglobal.org/spec/lti-ts/scope/toolsetting",
                "openid",
            ],
            "subject_types_supported": ["public", "pairwise"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            PLATFORM: {
                "product_family_code": "moodle",
                "version": "4.3.2 (Build: 20231222)",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest", "placements": ["ContentArea"]},
                ],
                "variables": ["basic-lti-launch-request", "ContentItemSelectionRequest"],
            },
        }

    def _canvas(self) -> dict[str, Any]:
        # As Canvas's /api/lti/security/openid-configuration answers (no openid scope).
        return {
            **self._common(),
            "scopes_supported": [
                AGS + "lineitem",
                AGS + "lineitem.readonly",
                AGS + "result.readonly",
                AGS + "score",
                NRPS,
                "https://canvas.instructure.com/lti/public_jwk/scope/update",
                "https://canvas.instructure.com/lti/account_lookup/scope/show",
            ],
            "subject_types_supported": ["public"],
            "claims_supported": ["sub", "picture", "email", "name", "given_name", "family_name"],
            "authorization_server": "127.0.0.1",
            PLATFORM: {
                "product_family_code": "canvas",
                "version": "OpenSource",
                "messages_supported": [
                    {
                        "type": "LtiResourceLinkRequest",
                        "placements": [
                            "https://canvas.instructure.com/lti/account_navigation",
                            "course_navigation",
                            "assignment_selection",
                            "link_selection",
                        ],
                    },
                    {
                        "type": "LtiDeepLinkingRequest",
                        "placements": ["assignment_selection", "link_selection", "editor_button"],
                    },
                ],
                "variables": ["Canvas.course.id"],
                "https://canvas.instructure.com/lti/account_name": "Example University",
                "https://canvas.instructure.com/lti/account_lti_guid": "guid-1:canvas-lms",
            },
        }

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """The registration response: the request echoed with our ids (as both LMSs do)."""
        tool = dict(body.get(TOOL) or {})
        if self.deployment_id is not None:
            tool["deployment_id"] = self.deployment_id
        if self.flavour == "canvas":
            tool["https://canvas.instructure.com/lti/registration_config_url"] = (
                self.base_url + "/api/lti/registrations/1/view"
            )
            return {**body, "client_id": self.client_id, "logo_uri": None, TOOL: tool}
        return {**body, "client_id": self.client_id, TOOL: tool}

    def bearer_ok(self) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"


def registration_app(platform: RegistrationPlatform) -> Flask:
    app = Flask("test-registration-platform")
    if platform.lms is not None:
        lms = platform.lms
        app.register_blueprint(lms_blueprint("lms", lambda: lms))

    def configuration() -> Response:
        platform.config_requests.append(request.headers.get("Authorization"))
        token_in_query = request.args.get("registration_token") == platform.token
        if not platform.bearer_ok() and not (platform.flavour == "canvas" and token_in_query):
            return Response('{"error": "invalid_token"}', 401, content_type="application/json")
        if platform.config_redirect is not None:
            return Response("", 302, headers={"Location": platform.config_redirect})
        if platform.config_body is not None:
            return Response(platform.config_body, 200, content_type="application/json")
        return Response(json.dumps(platform.configuration()), content_type="application/json")

    def register() -> Response:
        body = request.get_json(silent=True)
        platform.registrations.append(
            Received(request.headers.get("Authorization"), body, request.content_type)
        )
        if not platform.bearer_ok():
            return Response('{"error": "invalid_token"}', 401, content_type="application/json")
        if platform.registration_body is not None or platform.registration_status != 200:
            return Response(
                platform.registration_body or b"",
                platform.registration_status,
                content_type="application/json",
            )
        return Response(json.dumps(platform.answer(body or {})), content_type="application/json")

    config_path = "/api/lti/security/openid-configuration"
    register_path = "/api/lti/registrations"
    if platform.flavour != "canvas":
        config_path = "/mod/lti/openid-configuration.php"
        register_path = "/mod/lti/openid-registration.php"
    app.add_url_rule(config_path, "configuration", configuration)
    app.add_url_rule(register_path, "register", register, methods=["POST"])
    return app


@contextmanager
def running_registration_platform(
    flavour: str,
    *,
    with_lms_for: str | None = None,
    key_dir: Path | None = None,
    **changes: Any,
) -> Iterator[RegistrationPlatform]:
    """Serve a registration platform; ``with_lms_for`` (a tool URL) adds a working LMS."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    platform = RegistrationPlatform(flavour=flavour, base_url=base_url, **changes)
    if with_lms_for is not None:
        assert key_dir is not None
        platform.lms = build_demo_platform(
            issuer=base_url,
            tool_base_url=with_lms_for,
            key_path=key_dir / f"lms-{port}.pem",
            client_id=platform.client_id,
            deployment_id=platform.deployment_id or "none",
        )
    with serving(registration_app(platform), "127.0.0.1", port):
        yield platform
