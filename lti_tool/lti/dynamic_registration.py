"""LTI Dynamic Registration 1.0, the protocol: what the platform must say, what we ask.

Pure functions over JSON documents (https://www.imsglobal.org/spec/lti-dr/v1p0): the
platform's OpenID configuration is checked and read into :class:`PlatformConfiguration`,
our client registration request is built from it, and the platform's answer is read into
:class:`RegisteredClient`. Fetching and storing live in ``lti_tool.lti.registrar``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from lti_tool.domain.errors import RegistrationFailed
from lti_tool.domain.outbound_urls import host_matches

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CANVAS = "https://canvas.instructure.com/lti"
CANVAS_PRIVACY_LEVEL = CANVAS + "/privacy_level"
CANVAS_ACCOUNT_NAME = CANVAS + "/account_name"
CANVAS_COURSE_NAV_DEFAULT = CANVAS + "/course_navigation/default_enabled"

RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
SUBMISSION_REVIEW = "LtiSubmissionReviewRequest"
# What Peerlearn wants of the id_token, beyond the iss and sub every token carries.
WANTED_CLAIMS = ("name", "given_name", "family_name", "email")
# Where LMSs serve their OpenID configuration (Moodle, Canvas, OpenID Connect Discovery).
CONFIGURATION_PATHS = (
    "/mod/lti/openid-configuration.php",
    "/api/lti/security/openid-configuration",
    "/.well-known/openid-configuration",
)
# Endpoints Peerlearn trusts for launches: they must be on the issuer's host.
ISSUER_HOST_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
REQUIRED_ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "registration_endpoint",
)
# Where each LMS family shows a tool that can be launched or pick content (deep linking).
PLACEMENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "canvas": {
        RESOURCE_LINK: ("course_navigation",),
        DEEP_LINKING: ("link_selection", "assignment_selection"),
    },
    "moodle": {DEEP_LINKING: ("ContentArea",)},
}
DEFAULT_PLACEMENTS: dict[str, tuple[str, ...]] = {DEEP_LINKING: ("ContentArea",)}


def fail(detail: str, code: str, status: int = 502) -> RegistrationFailed:
    return RegistrationFailed(detail, code=code, status=status)


@dataclass(frozen=True)
class PlatformConfiguration:
    """The parts of a platform's OpenID configuration that Peerlearn uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family_code: str
    version: str = ""
    authorization_server: str | None = None
    # Message type -> placements the platform offers for it (empty: none named).
    messages_supported: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # None when the platform does not list them: then we assume it supports ours.
    scopes_supported: tuple[str, ...] | None = None
    claims_supported: tuple[str, ...] | None = None
    account_name: str = ""

    @property
    def is_canvas(self) -> bool:
        return self.product_family_code.lower() == "canvas"

    def display_name(self) -> str:
        """A name for ``peerlearn platform list``: product, account or host."""
        product = self.product_family_code.strip() or "LMS"
        where = self.account_name or urlsplit(self.issuer).hostname or self.issuer
        return f"{product.capitalize() if product.islower() else product} ({where})"[:255]


@dataclass(frozen=True)
class ToolDescription:
    """What we tell the platform about Peerlearn."""

    name: str
    description: str
    login_url: str
    launch_url: str
    jwks_url: str
    scopes: Sequence[str]
    logo_url: str | None = None


@dataclass(frozen=True)
class RegisteredClient:
    """The platform's answer: our client id there and, usually, the deployment it made."""

    client_id: str
    deployment_id: str | None
    client_name: str


def is_web_url(url: object, *, allow_http: bool) -> bool:
    """An absolute https URL (or http, when allowed) with a host and no fragment."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    schemes = {"https", "http"} if allow_http else {"https"}
    return parts.scheme in schemes and bool(parts.hostname) and not parts.fragment


def issuer_named_by(configuration_url: str) -> str:
    """The issuer a configuration URL names (spec §3.5.1), to be matched exactly.

    Where an LMS we know serves its configuration (``CONFIGURATION_PATHS``), the issuer is
    everything before that path, so Moodle in ``https://school.example/moodle`` keeps its
    folder; any other URL names only its origin. A prefix test would let any document the
    LMS's host serves (an uploaded file, ``/issuer/../x``) claim a longer issuer.
    """
    parts = urlsplit(configuration_url)
    host = parts.netloc.rpartition("@")[2].lower()  # never a user name or password
    origin = f"{parts.scheme.lower()}://{host}"
    for suffix in CONFIGURATION_PATHS:
        if parts.path.endswith(suffix):
            return origin + parts.path[: -len(suffix)]
    return origin


def is_named_issuer(issuer: str, configuration_url: str) -> bool:
    """The document's issuer is the one its URL names (a trailing ``/`` aside)."""
    named = issuer_named_by(configuration_url)
    return issuer in {named, named.rstrip("/") + "/"}


def _strings(value: object, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise fail(
            f"The LMS's configuration has {name} that is not a list of strings.",
            "invalid_openid_configuration",
        )
    return tuple(value)


def _messages(value: object) -> dict[str, tuple[str, ...]]:
    """``messages_supported``: objects with ``type`` and ``placements`` (strings in drafts)."""
    if value is None:
        # Every LTI 1.3 platform launches resource links; promise nothing more.
        return {RESOURCE_LINK: ()}
    if not isinstance(value, list):
        raise fail("The LMS's messages_supported is not a list.", "invalid_openid_configuration")
    found: dict[str, tuple[str, ...]] = {}
    for entry in value:
        if isinstance(entry, str):
            found[entry] = ()
        elif isinstance(entry, dict) and isinstance(entry.get("type"), str):
            placements = entry.get("placements") or []
            found[entry["type"]] = (
                tuple(p for p in placements if isinstance(p, str))
                if isinstance(placements, list)
                else ()
            )
    return found


def _issuer(document: dict[str, Any], configuration_url: str, *, allow_http: bool) -> str:
    issuer = document.get("issuer")
    if not isinstance(issuer, str) or not issuer:
        raise fail(
            "The LMS's OpenID configuration names no issuer.", "invalid_openid_configuration"
        )
    if not is_web_url(issuer, allow_http=allow_http) or urlsplit(issuer).query:
        raise fail(f"The LMS's issuer {issuer!r} is not an https URL.", "invalid_issuer")
    if not is_named_issuer(issuer, configuration_url):
        raise fail(
            f"The LMS's configuration names the issuer {issuer!r}, but it was fetched from "
            f"an address of {issuer_named_by(configuration_url)!r}.",
            "issuer_mismatch",
        )
    return issuer


def _endpoints(
    document: dict[str, Any], issuer: str, *, allow_http: bool, endpoint_hosts: Sequence[str]
) -> dict[str, str]:
    """The required endpoints; those launches trust on the issuer's host (or listed)."""
    issuer_host = (urlsplit(issuer).hostname or "").lower()
    endpoints: dict[str, str] = {}
    for name in REQUIRED_ENDPOINTS:
        value = document.get(name)
        if not value:
            raise fail(f"The LMS's OpenID configuration has no {name}.", "missing_endpoint")
        if not is_web_url(value, allow_http=allow_http):
            raise fail(f"The LMS's {name} is not an https URL.", "invalid_endpoint")
        host = (urlsplit(value).hostname or "").lower()
        trusted = host == issuer_host or host_matches(host, tuple(endpoint_hosts))
        if name in ISSUER_HOST_ENDPOINTS and not trusted:
            raise fail(
                f"The LMS's {name} is on {host}, not on its issuer's host {issuer_host}; "
                "a Peerlearn administrator may list that host in "
                "PEERLEARN_REGISTRATION_ALLOWED_HOSTS.",
                "endpoint_not_on_issuer_host",
            )
        endpoints[name] = value
    return endpoints


def parse_platform_configuration(
    document: object,
    *,
    configuration_url: str,
    allow_http: bool,
    endpoint_hosts: Sequence[str] = (),
) -> PlatformConfiguration:
    """Check a platform's OpenID configuration (spec §3.4-3.5) and read what we use.

    The issuer must be the one ``configuration_url`` names, and the authorization, token
    and key set endpoints must be on the issuer's host or one of ``endpoint_hosts``.
    """
    if not isinstance(document, dict):
        raise fail(
            "The LMS's OpenID configuration is not a JSON object.", "invalid_openid_configuration"
        )
    issuer = _issuer(document, configuration_url, allow_http=allow_http)
    endpoints = _endpoints(document, issuer, allow_http=allow_http, endpoint_hosts=endpoint_hosts)
    platform = document.get(PLATFORM_CONFIGURATION)
    if not isinstance(platform, dict):
        raise fail(
            "The LMS's OpenID configuration has no LTI platform configuration.",
            "invalid_openid_configuration",
        )
    product = platform.get("product_family_code")
    if not isinstance(product, str) or not product.strip():
        raise fail(
            "The LMS's configuration names no product_family_code.", "invalid_openid_configuration"
        )
    methods = _strings(
        document.get("token_endpoint_auth_methods_supported"),
        "token_endpoint_auth_methods_supported",
    )
    if methods is not None and "private_key_jwt" not in methods:
        raise fail(
            "The LMS does not accept private_key_jwt client authentication.", "unsupported_platform"
        )
    algorithms = _strings(
        document.get("id_token_signing_alg_values_supported"),
        "id_token_signing_alg_values_supported",
    )
    if algorithms is not None and "RS256" not in algorithms:
        raise fail("The LMS does not sign id_tokens with RS256.", "unsupported_platform")
    server = document.get("authorization_server")
    account_name = platform.get(CANVAS_ACCOUNT_NAME)
    return PlatformConfiguration(
        issuer=issuer,
        authorization_endpoint=endpoints["authorization_endpoint"],
        token_endpoint=endpoints["token_endpoint"],
        jwks_uri=endpoints["jwks_uri"],
        registration_endpoint=endpoints["registration_endpoint"],
        product_family_code=product.strip(),
        version=str(platform.get("version") or ""),
        # Used as the token request's aud; only a URL is an issuer identifier. Canvas
        # names a bare host here and expects its token URL as aud, so it is left out.
        authorization_server=server
        if is_web_url(server, allow_http=allow_http) and product.strip().lower() != "canvas"
        else None,
        messages_supported=_messages(platform.get("messages_supported")),
        scopes_supported=_strings(document.get("scopes_supported"), "scopes_supported"),
        claims_supported=_strings(document.get("claims_supported"), "claims_supported"),
        account_name=account_name.strip() if isinstance(account_name, str) else "",
    )


def _placements(platform: PlatformConfiguration, message_type: str) -> list[str]:
    family = PLACEMENTS.get(platform.product_family_code.lower(), DEFAULT_PLACEMENTS)
    wanted = family.get(message_type, ())
    offered = platform.messages_supported.get(message_type, ())
    # A platform that names its placements gets only those of ours it knows.
    return [p for p in wanted if not offered or p in offered]


def _message(
    platform: PlatformConfiguration, tool: ToolDescription, message_type: str, label: str
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": message_type,
        "target_link_uri": tool.launch_url,
        "label": label,
    }
    placements = _placements(platform, message_type)
    if placements:
        message["placements"] = placements
    if platform.is_canvas and "course_navigation" in placements:
        message[CANVAS_COURSE_NAV_DEFAULT] = True
    return message


def registration_request(platform: PlatformConfiguration, tool: ToolDescription) -> dict[str, Any]:
    """Our client registration request (spec §3.6), fitted to what the platform offers."""
    scopes = [
        s
        for s in tool.scopes
        if platform.scopes_supported is None or s in platform.scopes_supported
    ]
    claims = ["iss", "sub"] + [
        c
        for c in WANTED_CLAIMS
        if platform.claims_supported is None or c in platform.claims_supported
    ]
    messages = [_message(platform, tool, RESOURCE_LINK, tool.name)]
    if DEEP_LINKING in platform.messages_supported:
        messages.append(_message(platform, tool, DEEP_LINKING, f"Add a {tool.name} activity"))
    if SUBMISSION_REVIEW in platform.messages_supported:
        messages.append(_message(platform, tool, SUBMISSION_REVIEW, f"{tool.name} review"))
    tool_configuration: dict[str, Any] = {
        "domain": urlsplit(tool.launch_url).hostname or "",
        "target_link_uri": tool.launch_url,
        "description": tool.description,
        "claims": claims,
        "messages": messages,
    }
    if platform.is_canvas:
        # Names let peers and teachers recognise each other; no email is shared.
        tool_configuration[CANVAS_PRIVACY_LEVEL] = "name_only"
    request: dict[str, Any] = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": [tool.launch_url],
        "client_name": tool.name,
        "jwks_uri": tool.jwks_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIGURATION: tool_configuration,
    }
    if tool.logo_url:
        request["logo_uri"] = tool.logo_url
    return request


def _identifier(value: object) -> str | None:
    """Ids arrive as strings, or as numbers from some platforms."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text if 0 < len(text) <= 255 else None


def parse_registration_response(document: object) -> RegisteredClient:
    """Read the platform's client registration response (spec §3.6.2)."""
    if not isinstance(document, dict):
        raise fail(
            "The LMS's registration answer is not a JSON object.", "invalid_registration_response"
        )
    client_id = _identifier(document.get("client_id"))
    if client_id is None:
        raise fail(
            "The LMS's registration answer has no client_id.", "invalid_registration_response"
        )
    configuration = document.get(TOOL_CONFIGURATION)
    deployment_id = (
        _identifier(configuration.get("deployment_id")) if isinstance(configuration, dict) else None
    )
    name = document.get("client_name")
    return RegisteredClient(
        client_id=client_id,
        deployment_id=deployment_id,
        client_name=name if isinstance(name, str) else "",
    )


def refusal_reason(document: object) -> str:
    """The platform's own words when it refuses: OAuth's error fields, or Canvas's errors."""
    if not isinstance(document, Mapping):
        return ""
    parts = [document.get("error_description"), document.get("error")]
    errors = document.get("errors")
    if isinstance(errors, list):
        parts.extend(e.get("message") if isinstance(e, Mapping) else e for e in errors)
    text = "; ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return text[:300]
