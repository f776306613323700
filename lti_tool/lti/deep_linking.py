"""LTI Deep Linking 2.0: read the platform's request, answer with signed content items.

pylti1p3's ``DeepLink`` signs its response from a PEM string (about 40 ms of key parsing
each time) and cannot say which content item types the platform accepts. Here the
response is signed with the tool's current key object, and the request's settings are
read once into a plain value.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jwt

from lti_tool.domain.activities import ActivityPlan
from lti_tool.domain.errors import LaunchRefused
from lti_tool.keys import KeyRing

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
SETTINGS_CLAIM = DL + "deep_linking_settings"
RESOURCE_LINK = "ltiResourceLink"
RESPONSE_LIFETIME = 300
ACTIVITY_PARAMETER = "peerlearn_activity"
KIND_PARAMETER = "peerlearn_kind"


@dataclass(frozen=True)
class DeepLinkingRequest:
    """What the platform asked for in an ``LtiDeepLinkingRequest``."""

    return_url: str
    accept_types: tuple[str, ...]
    accept_multiple: bool
    accept_lineitem: bool
    data: str | None
    title: str | None
    text: str | None

    @property
    def accepts_links(self) -> bool:
        return RESOURCE_LINK in self.accept_types


def read_request(claims: Mapping[str, Any]) -> DeepLinkingRequest:
    """The deep-linking settings claim; a request without a return URL is refused."""
    settings = claims.get(SETTINGS_CLAIM)
    if not isinstance(settings, Mapping):
        raise LaunchRefused(
            "The deep-linking request has no deep_linking_settings claim.",
            code="missing_deep_linking_settings",
        )
    return_url = settings.get("deep_link_return_url")
    if not isinstance(return_url, str) or not return_url.startswith(("https://", "http://")):
        raise LaunchRefused(
            "The deep-linking request names no valid deep_link_return_url.",
            code="missing_deep_link_return_url",
        )
    raw_types = settings.get("accept_types")
    accept_types = (
        tuple(item for item in raw_types if isinstance(item, str))
        if isinstance(raw_types, list)
        else ()
    )
    data = settings.get("data")
    return DeepLinkingRequest(
        return_url=return_url,
        accept_types=accept_types,
        # Both default to permissive values when absent, as the specification says.
        accept_multiple=settings.get("accept_multiple", True) is not False,
        accept_lineitem=settings.get("accept_lineitem", True) is not False,
        # ``data`` must come back exactly as sent; platforms send strings, a few send JSON.
        data=data if isinstance(data, str) else None,
        title=settings.get("title") if isinstance(settings.get("title"), str) else None,
        text=settings.get("text") if isinstance(settings.get("text"), str) else None,
    )


def _window(start: datetime | None, end: datetime | None) -> dict[str, str]:
    window = {}
    if start is not None:
        window["startDateTime"] = start.isoformat()
    if end is not None:
        window["endDateTime"] = end.isoformat()
    return window


def content_item(
    plan: ActivityPlan, *, activity_key: str, launch_url: str, with_line_item: bool
) -> dict[str, Any]:
    """One ``ltiResourceLink`` item for a created activity.

    The activity's key travels as a custom parameter: the LMS sends it back on every
    launch of the link, including launches of copies of the course, whose resource link
    ids are new.
    """
    item: dict[str, Any] = {
        "type": RESOURCE_LINK,
        "title": plan.title,
        "url": launch_url,
        "custom": {ACTIVITY_PARAMETER: activity_key, KIND_PARAMETER: plan.kind},
    }
    if plan.text:
        item["text"] = plan.text
    if plan.gradebook is not None and with_line_item:
        item["lineItem"] = {
            "scoreMaximum": plan.gradebook.score_maximum,
            "label": plan.gradebook.label,
            "resourceId": activity_key,
            "tag": plan.gradebook.tag,
        }
    if available := _window(plan.available_from, plan.available_until):
        item["available"] = available
    if submission := _window(plan.submission_from, plan.submission_until):
        item["submission"] = submission
    return item


def response_token(
    key_ring: KeyRing,
    *,
    client_id: str,
    platform_issuer: str,
    deployment_id: str,
    request: DeepLinkingRequest,
    items: Sequence[Mapping[str, Any]],
    message: str | None = None,
) -> str:
    """The signed ``LtiDeepLinkingResponse`` the browser posts back to the platform."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": client_id,
        "aud": [platform_issuer],
        "iat": now,
        "exp": now + RESPONSE_LIFETIME,
        "nonce": uuid.uuid4().hex,
        LTI + "deployment_id": deployment_id,
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        DL + "content_items": list(items),
    }
    if request.data is not None:
        claims[DL + "data"] = request.data
    if message:
        claims[DL + "msg"] = message
    key = key_ring.signing_key()
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
