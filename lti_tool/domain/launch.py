"""The parts of a validated LTI launch that Peerlearn keeps, as plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lti_tool.domain.errors import LaunchRefused
from lti_tool.domain.roles import CourseRole, course_role
from lti_tool.domain.text import has_control, is_control

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
GROUPS_CLAIM = "https://purl.imsglobal.org/spec/lti-gs/claim/groupsservice"
MAX_URL = 1024  # the stored columns' length
MAX_IDENTIFIER = 255  # the stored columns' length for LMS identifiers
OUR_CUSTOM = "peerlearn_"  # custom parameters Peerlearn reads (keys of activities)


@dataclass(frozen=True)
class PersonClaims:
    sub: str
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ContextClaims:
    id: str
    title: str | None = None
    label: str | None = None
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceLinkClaims:
    id: str
    title: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class LaunchClaims:
    """A validated launch, reduced to what we store and show."""

    message_type: str
    deployment_id: str
    person: PersonClaims
    roles: tuple[str, ...]
    context: ContextClaims | None
    resource_link: ResourceLinkClaims | None
    custom: Mapping[str, str] = field(default_factory=dict)
    # The course's service endpoints (Names and Role Provisioning, Assignment and Grade
    # Services), when the LMS offers them in this launch.
    memberships_url: str | None = None
    lineitems_url: str | None = None
    # LTI Course Groups service: the course's groups and group sets.
    groups_url: str | None = None
    groupsets_url: str | None = None

    @property
    def course_role(self) -> CourseRole:
        return course_role(self.roles)


def trimmed_text(value: Any, limit: int = 255) -> str | None:
    """A trimmed string, or None for anything else; LMSs send odd types and long titles.
    Control characters are dropped (line breaks and tabs read as spaces): never meant in
    a name or title, and PostgreSQL refuses NUL in a text column."""
    if not isinstance(value, str):
        return None
    kept = ((" " if c.isspace() else "") if is_control(c) else c for c in value)
    stripped = "".join(kept).strip()
    return stripped[:limit] if stripped else None


class ClaimTooLong(LaunchRefused):
    """A claim Peerlearn stores is longer than its column (400, nothing stored)."""

    code = "claim_too_long"
    title = "This launch names something Peerlearn cannot store"
    advice = "Ask the LMS administrator: the LMS sent an identifier or address too long."


def identifier(value: Any, claim: str, limit: int = MAX_IDENTIFIER) -> str:
    """An LMS identifier (sub, deployment, context, link, custom key) as sent; one holding
    a control character or longer than its column cannot be stored, and changing it would
    make it another identifier."""
    text = str(value)
    if has_control(text):
        raise LaunchRefused(
            f"The LMS sent a {claim} Peerlearn cannot store (it holds control characters).",
            code="invalid_identifier",
        )
    if len(text) > limit:
        raise ClaimTooLong(f"The LMS sent a {claim} longer than {limit} characters.")
    return text


def line_item_url(claims: Mapping[str, Any]) -> str | None:
    """The AGS ``lineitem`` (this link's gradebook column), or None when not an http(s)
    URL; one with control characters or longer than :data:`MAX_URL` is refused (400)."""
    endpoint = claims.get(AGS_CLAIM)
    found = endpoint.get("lineitem") if isinstance(endpoint, Mapping) else None
    if not isinstance(found, str) or not found.startswith(("https://", "http://")):
        return None
    return identifier(found, "gradebook column (lineitem)", limit=MAX_URL)


def _custom(raw: Any) -> dict[str, str]:
    """Custom parameters as strings. Ours (``peerlearn_*``) are identifiers and refused
    with control characters or too long; others with control characters are dropped
    (Peerlearn neither reads nor stores them)."""
    if not isinstance(raw, Mapping):
        return {}
    custom: dict[str, str] = {}
    for key, value in raw.items():
        name, text = str(key), str(value)
        if name.startswith(OUR_CUSTOM):
            custom[name] = identifier(text, f"custom parameter {name[:40]}")
        elif not has_control(name + text):
            custom[name] = text
    return custom


def _service_url(claims: Mapping[str, Any], claim: str, name: str) -> str | None:
    """An absolute http(s) URL from a service claim, or None (a cut URL is no URL)."""
    service = claims.get(claim)
    if not isinstance(service, Mapping):
        return None
    url = trimmed_text(service.get(name), limit=MAX_URL + 1)
    if not url or len(url) > MAX_URL or not url.startswith(("https://", "http://")):
        return None
    return url


def parse_launch(claims: Mapping[str, Any]) -> LaunchClaims:
    """Read a validated id_token body; optional claims an LMS did not send stay None."""
    context_claim = claims.get(CLAIM + "context")
    context = None
    if isinstance(context_claim, Mapping) and trimmed_text(context_claim.get("id")):
        raw_types = context_claim.get("type")
        types = (
            tuple(item for item in raw_types if isinstance(item, str))
            if isinstance(raw_types, list)
            else ()
        )
        context = ContextClaims(
            id=identifier(context_claim["id"], "course id").strip(),
            title=trimmed_text(context_claim.get("title")),
            label=trimmed_text(context_claim.get("label")),
            types=types,
        )
    link_claim = claims.get(CLAIM + "resource_link")
    resource_link = None
    if isinstance(link_claim, Mapping) and trimmed_text(link_claim.get("id")):
        resource_link = ResourceLinkClaims(
            id=identifier(link_claim["id"], "resource link id").strip(),
            title=trimmed_text(link_claim.get("title")),
            description=trimmed_text(link_claim.get("description"), limit=4000),
        )
    raw_roles = claims.get(CLAIM + "roles")
    roles = tuple(r for r in raw_roles if isinstance(r, str)) if isinstance(raw_roles, list) else ()
    custom = _custom(claims.get(CLAIM + "custom"))
    return LaunchClaims(
        message_type=str(claims.get(CLAIM + "message_type", "")),
        deployment_id=identifier(claims.get(CLAIM + "deployment_id", ""), "deployment id"),
        person=PersonClaims(
            sub=identifier(claims["sub"], "user id"),
            name=trimmed_text(claims.get("name")),
            given_name=trimmed_text(claims.get("given_name")),
            family_name=trimmed_text(claims.get("family_name")),
            email=trimmed_text(claims.get("email"), limit=320),
        ),
        roles=roles,
        context=context,
        resource_link=resource_link,
        custom=custom,
        memberships_url=_service_url(claims, NRPS_CLAIM, "context_memberships_url"),
        lineitems_url=_service_url(claims, AGS_CLAIM, "lineitems"),
        groups_url=_service_url(claims, GROUPS_CLAIM, "context_groups_url"),
        groupsets_url=_service_url(claims, GROUPS_CLAIM, "context_group_sets_url"),
    )


def display_name(person: PersonClaims, chosen: str | None = None) -> str:
    """How to address someone: their chosen name, the LMS's name, or a neutral fallback."""
    if chosen:
        return chosen
    if person.name:
        return person.name
    joined = " ".join(part for part in (person.given_name, person.family_name) if part)
    return joined or "Anonymous participant"
