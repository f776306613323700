"""Names and Role Provisioning Services 2.0: a course roster, every page of it.

Pages are followed through ``Link: rel="next"`` and, for platforms that put it there, a
``next`` URL in the body. A ``rel="differences"`` link, when offered, is returned so a
later sync can ask only for what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from lti_tool.domain.outbound_urls import OutboundUrlRefused
from lti_tool.lti.ags import AgsError
from lti_tool.lti.outbound import NoAuth, platform_urls, refusal_of
from lti_tool.lti.registrations import PlatformRegistration
from lti_tool.lti.service_tokens import ServiceTokens

MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
TIMEOUT = (3.05, 20)
MAX_PAGES = 1000


class RosterError(AgsError):
    code = "roster_unavailable"
    title = "Your LMS did not share the course roster"


@dataclass(frozen=True)
class Roster:
    context: dict[str, Any]
    members: list[dict[str, Any]]
    differences_url: str | None


class NrpsClient:
    def __init__(self, tokens: ServiceTokens, *, http: requests.Session | None = None) -> None:
        self._tokens = tokens
        self._http = http or requests.Session()

    def roster(self, platform: PlatformRegistration, memberships_url: str) -> Roster:
        url: str | None = memberships_url
        members: list[dict[str, Any]] = []
        context: dict[str, Any] = {}
        differences = None
        for _page in range(MAX_PAGES):
            if url is None:
                return Roster(context, members, differences)
            response = self._get(platform, url)
            try:
                body = response.json()
            except ValueError as error:
                raise RosterError("The roster is not JSON.") from error
            if not isinstance(body, dict) or not isinstance(body.get("members"), list):
                raise RosterError("The roster has no members list.")
            members += [m for m in body["members"] if isinstance(m, dict) and m.get("user_id")]
            if isinstance(body.get("context"), dict):
                context = body["context"]
            differences = response.links.get("differences", {}).get("url", differences)
            following = response.links.get("next", {}).get("url") or body.get("next")
            url = following if isinstance(following, str) and following else None
        raise RosterError(f"More than {MAX_PAGES} pages of members.")

    def _get(self, platform: PlatformRegistration, url: str) -> requests.Response:
        return service_get(
            self._tokens,
            self._http,
            platform,
            url,
            scope=MEMBERSHIP_SCOPE,
            accept=MEMBERSHIPS_TYPE,
            error=RosterError,
        )


def service_get(
    tokens: ServiceTokens,
    http: requests.Session,
    platform: PlatformRegistration,
    url: str,
    *,
    scope: str,
    accept: str,
    error: type[RosterError],
) -> requests.Response:
    """GET a read-only LTI Advantage service page with a bearer token for ``scope``; a
    401 renews the token once. Failures raise ``error`` with the HTTP status.

    The URL (a launch claim, or a page link the LMS answered) must pass the outbound
    policy and be on one of the platform's registered hosts, or no token is sent."""
    try:
        tokens.policy.check_service_url(url, platform_urls(platform))
    except OutboundUrlRefused as refused:
        raise error(f"Refused service URL: {refused.detail}", http_status=400) from None
    for attempt in (1, 2):
        token = tokens.token(platform, [scope])
        try:
            response = http.get(
                url,
                timeout=TIMEOUT,
                headers={"Authorization": f"Bearer {token}", "Accept": accept},
                allow_redirects=False,  # a bearer token never follows a redirect
                auth=NoAuth(),
            )
        except requests.RequestException as failure:
            raise error(f"GET {url} failed ({failure.__class__.__name__}).") from None
        if response.status_code == 401 and attempt == 1:
            tokens.invalidate(platform, [scope])
            continue
        if response.status_code != 200:
            reason = refusal_of(response)  # never the body itself
            response.close()
            raise error(
                f"GET {url}: HTTP {response.status_code}" + (f": {reason}" if reason else ""),
                http_status=response.status_code,
            )
        return response
    raise error(f"GET {url}: still unauthorised after renewing the token", http_status=401)
