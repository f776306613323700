"""LTI Course Groups Service 1.0: a course's groups and group sets, every page of them.

Pages are followed through ``Link: rel="next"``. Tokens and the one renewal after a 401
are those of the roster client (:func:`lti_tool.lti.nrps.service_get`); who is in a group
is read from the roster service filtered by group (:meth:`CourseGroupsClient.members`).
"""

from __future__ import annotations

from typing import Any

import requests

from lti_tool.domain.course_groups import (
    GROUP_SETS_TYPE,
    GROUPS_SCOPE,
    GROUPS_TYPE,
    CourseGroup,
    GroupSet,
    parse_group_sets,
    parse_groups,
)
from lti_tool.lti.ags import with_query
from lti_tool.lti.nrps import MAX_PAGES, NrpsClient, RosterError, service_get
from lti_tool.lti.registrations import PlatformRegistration
from lti_tool.lti.service_tokens import ServiceTokens


class GroupsError(RosterError):
    code = "groups_unavailable"
    title = "Your LMS did not share the course's groups"


class CourseGroupsClient:
    def __init__(
        self, tokens: ServiceTokens, nrps: NrpsClient, *, http: requests.Session | None = None
    ) -> None:
        self._tokens = tokens
        self._nrps = nrps
        self._http = http or requests.Session()

    def groups(
        self, platform: PlatformRegistration, groups_url: str, *, user_id: str | None = None
    ) -> list[CourseGroup]:
        """Every group of the course (only ``user_id``'s when given)."""
        url = with_query(groups_url, user_id=user_id) if user_id else groups_url
        return parse_groups(self._pages(platform, url, key="groups", accept=GROUPS_TYPE))

    def group_sets(self, platform: PlatformRegistration, groupsets_url: str) -> list[GroupSet]:
        return parse_group_sets(
            self._pages(platform, groupsets_url, key="sets", accept=GROUP_SETS_TYPE)
        )

    def members(
        self, platform: PlatformRegistration, memberships_url: str, group_id: str
    ) -> list[str]:
        """The LTI user ids (``sub``) of a group's members, from the roster service."""
        try:
            roster = self._nrps.roster(platform, with_query(memberships_url, group=group_id))
        except RosterError as error:
            raise GroupsError(
                f"Members of group {group_id}: {error.detail}", http_status=error.http_status
            ) from error
        return list(dict.fromkeys(str(member["user_id"]) for member in roster.members))

    def _pages(
        self, platform: PlatformRegistration, url: str, *, key: str, accept: str
    ) -> list[Any]:
        items: list[Any] = []
        following: str | None = url
        for _page in range(MAX_PAGES):
            if following is None:
                return items
            response = service_get(
                self._tokens,
                self._http,
                platform,
                following,
                scope=GROUPS_SCOPE,
                accept=accept,
                error=GroupsError,
            )
            try:
                body = response.json()
            except ValueError as error:
                raise GroupsError(f"The LMS's {key} are not JSON.") from error
            if not isinstance(body, dict) or not isinstance(body.get(key), list):
                raise GroupsError(f"The LMS's answer has no {key} list.")
            items += body[key]
            link = response.links.get("next", {}).get("url")
            following = link if isinstance(link, str) and link else None
        raise GroupsError(f"More than {MAX_PAGES} pages of {key}.")
