"""Assignment and Grade Services 2.0: line items (list, get, create, update, delete),
scores and results, with service tokens from :class:`ServiceTokens`.

pylti1p3 2.0.0 can neither update nor delete a line item. Every call here carries a
bearer token for exactly the scope it needs; a 401 renews the token once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from lti_tool.domain.errors import PeerlearnError
from lti_tool.domain.outbound_urls import OutboundUrlRefused
from lti_tool.lti.outbound import NoAuth, platform_urls, refusal_of
from lti_tool.lti.registrations import PlatformRegistration
from lti_tool.lti.service_tokens import ServiceTokens

LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_READ_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RESULT_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULTS_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
TIMEOUT = (3.05, 15)
MAX_PAGES = 100


class AgsError(PeerlearnError):
    code = "gradebook_unavailable"
    status = 502
    title = "Your LMS gradebook did not answer as expected"
    advice = "Try again later. If it keeps happening, tell your LMS administrator."

    def __init__(self, detail: str, *, http_status: int = 0) -> None:
        super().__init__(detail)
        self.http_status = http_status


def with_path(url: str, suffix: str) -> str:
    """``url`` with ``suffix`` added to its path, keeping its query (AGS line item URLs
    may carry one)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


class AgsClient:
    def __init__(self, tokens: ServiceTokens, *, http: requests.Session | None = None) -> None:
        self._tokens = tokens
        self._http = http or requests.Session()

    def line_items(
        self,
        platform: PlatformRegistration,
        lineitems_url: str,
        *,
        resource_link_id: str | None = None,
        resource_id: str | None = None,
        tag: str | None = None,
    ) -> list[dict[str, Any]]:
        """Every line item of the container, following ``Link: rel="next"`` pages."""
        filters = {
            key: value
            for key, value in (
                ("resource_link_id", resource_link_id),
                ("resource_id", resource_id),
                ("tag", tag),
            )
            if value is not None
        }
        url: str | None = with_query(lineitems_url, **filters) if filters else lineitems_url
        found: list[dict[str, Any]] = []
        for _page in range(MAX_PAGES):
            if url is None:
                return found
            response = self._call(
                platform, "GET", url, [LINEITEM_READ_SCOPE, LINEITEM_SCOPE], accept=CONTAINER_TYPE
            )
            page = response.json()
            if not isinstance(page, list):
                raise AgsError("The line item container is not a list.")
            found += page
            url = response.links.get("next", {}).get("url")
        raise AgsError(f"More than {MAX_PAGES} pages of line items.")

    def get(self, platform: PlatformRegistration, lineitem_url: str) -> dict[str, Any]:
        return self._json(
            self._call(
                platform,
                "GET",
                lineitem_url,
                [LINEITEM_READ_SCOPE, LINEITEM_SCOPE],
                accept=LINEITEM_TYPE,
            )
        )

    def create(
        self, platform: PlatformRegistration, lineitems_url: str, item: dict[str, Any]
    ) -> dict[str, Any]:
        return self._json(
            self._call(
                platform,
                "POST",
                lineitems_url,
                [LINEITEM_SCOPE],
                accept=LINEITEM_TYPE,
                body=item,
                content_type=LINEITEM_TYPE,
            )
        )

    def update(
        self, platform: PlatformRegistration, lineitem_url: str, item: dict[str, Any]
    ) -> dict[str, Any]:
        return self._json(
            self._call(
                platform,
                "PUT",
                lineitem_url,
                [LINEITEM_SCOPE],
                accept=LINEITEM_TYPE,
                body=item,
                content_type=LINEITEM_TYPE,
            )
        )

    def delete(self, platform: PlatformRegistration, lineitem_url: str) -> None:
        self._call(platform, "DELETE", lineitem_url, [LINEITEM_SCOPE])

    def publish_score(
        self, platform: PlatformRegistration, lineitem_url: str, score: dict[str, Any]
    ) -> None:
        self._call(
            platform,
            "POST",
            with_path(lineitem_url, "/scores"),
            [SCORE_SCOPE],
            body=score,
            content_type=SCORE_TYPE,
        )

    def results(
        self, platform: PlatformRegistration, lineitem_url: str, *, user_id: str | None = None
    ) -> list[dict[str, Any]]:
        url = with_path(lineitem_url, "/results")
        if user_id is not None:
            url = with_query(url, user_id=user_id)
        found = self._call(platform, "GET", url, [RESULT_SCOPE], accept=RESULTS_TYPE).json()
        if not isinstance(found, list):
            raise AgsError("The result container is not a list.")
        return found

    def _call(
        self,
        platform: PlatformRegistration,
        method: str,
        url: str,
        scopes: Sequence[str],
        *,
        accept: str | None = None,
        body: dict[str, Any] | None = None,
        content_type: str | None = None,
    ) -> requests.Response:
        headers = {
            key: value
            for key, value in (("Accept", accept), ("Content-Type", content_type))
            if value
        }
        data = json.dumps(body) if body is not None else None
        try:  # a launch claim or a page link: our bearer token goes to the LMS's hosts only
            self._tokens.policy.check_service_url(url, platform_urls(platform))
        except OutboundUrlRefused as refused:
            raise AgsError(f"Refused service URL: {refused.detail}", http_status=400) from None
        for attempt in (1, 2):
            token = self._tokens.token(platform, scopes)
            try:
                response = self._http.request(
                    method,
                    url,
                    data=data,
                    timeout=TIMEOUT,
                    headers={**headers, "Authorization": f"Bearer {token}"},
                    allow_redirects=False,  # a bearer token never follows a redirect
                    auth=NoAuth(),
                )
            except requests.RequestException as error:
                raise AgsError(f"{method} {url} failed ({error.__class__.__name__}).") from None
            if response.status_code == 401 and attempt == 1:
                self._tokens.invalidate(platform, scopes)  # expired or revoked: renew once
                continue
            if response.status_code >= 300:
                # Never the body: the status and, for a 4xx, the LMS's short reason.
                reason = refusal_of(response)
                response.close()
                raise AgsError(
                    f"{method} {url}: HTTP {response.status_code}"
                    + (f": {reason}" if reason else ""),
                    http_status=response.status_code,
                )
            return response
        raise AgsError(
            f"{method} {url}: still unauthorised after renewing the token", http_status=401
        )

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            found = response.json()
        except ValueError as error:
            raise AgsError("The LMS answered with something that is not JSON.") from error
        if not isinstance(found, dict):
            raise AgsError("The LMS answered with something that is not a line item.")
        return found
