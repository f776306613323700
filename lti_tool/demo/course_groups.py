"""The demo LMS's course groups: the LTI Course Groups Service that lti1p3platform lacks.

It serves the course's groups (``/gs/groups``, filter ``user_id``) and group sets
(``/gs/groupsets``), paged by ``limit`` with ``Link: rel="next"``, behind bearer tokens
with the groups scope, which this adapter grants (lti1p3platform's token endpoint knows
only the AGS and NRPS scopes). Group membership is the roster filtered by ``?group=``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, request

from lti_tool.domain.course_groups import GROUP_SETS_TYPE, GROUPS_SCOPE, GROUPS_TYPE
from lti_tool.domain.launch import GROUPS_CLAIM


class PlatformWithGroups(Protocol):
    """What course groups need of the demo platform: the one in
    :mod:`lti_tool.demo.platform`, which uses this module (a protocol here keeps the two
    out of an import circle)."""

    @property
    def issuer(self) -> str: ...

    @property
    def client_id(self) -> str: ...

    @property
    def registration(self) -> Any: ...

    @property
    def course_groups(self) -> DemoCourseGroups: ...

    def authorised(self, authorization: str | None, scopes: list[str]) -> bool: ...


@dataclass(frozen=True)
class DemoGroup:
    id: str
    name: str
    members: tuple[str, ...]  # people's ids (LTI sub)
    set_ids: tuple[str, ...] = ()
    tag: str | None = None


@dataclass
class DemoCourseGroups:
    """The course's group sets and groups; tests change them between syncs."""

    base_url: str
    sets: dict[str, str] = field(
        default_factory=lambda: {"teams": "Project teams", "labs": "Lab sections"}
    )
    groups: list[DemoGroup] = field(
        default_factory=lambda: [
            DemoGroup("team-red", "Red team", ("demo-learner-1", "demo-learner-2"), ("teams",)),
            DemoGroup("team-blue", "Blue team", ("demo-learner-3", "demo-learner-4"), ("teams",)),
            DemoGroup("lab-a", "Lab A", ("demo-learner-1", "demo-learner-3"), ("labs",)),
            DemoGroup("lab-b", "Lab B", ("demo-learner-2", "demo-learner-4"), ("labs",)),
            DemoGroup("circle", "Study circle", ("demo-learner-1", "demo-learner-4"), (), "extra"),
        ]
    )
    offered: bool = True  # whether launches carry the groups service claim
    query: str = ""  # added to both URLs in the claim (e.g. "?limit=2": small pages)

    @property
    def groups_url(self) -> str:
        return self.base_url + "/gs/groups" + self.query

    @property
    def groupsets_url(self) -> str:
        return self.base_url + "/gs/groupsets" + self.query

    def claim(self) -> dict[str, Any]:
        if not self.offered:
            return {}
        return {
            GROUPS_CLAIM: {
                "scope": [GROUPS_SCOPE],
                "context_groups_url": self.groups_url,
                "context_group_sets_url": self.groupsets_url,
                "service_versions": ["1.0"],
            }
        }

    def listed(self, user_id: str | None) -> list[dict[str, Any]]:
        return [
            {
                "id": group.id,
                "name": group.name,
                "set_ids": list(group.set_ids),
                **({"tag": group.tag} if group.tag else {}),
            }
            for group in self.groups
            if user_id is None or user_id in group.members
        ]

    def members_of(self, group_id: str) -> frozenset[str] | None:
        """The ids in a group, or None when there is no such group."""
        for group in self.groups:
            if group.id == group_id:
                return frozenset(group.members)
        return None


def filter_by_group(
    groups: DemoCourseGroups, members: Sequence[dict[str, Any]], group_id: str | None
) -> list[dict[str, Any]] | None:
    """The roster filtered by ``?group=`` (None: no such group)."""
    if group_id is None:
        return list(members)
    inside = groups.members_of(group_id)
    if inside is None:
        return None
    return [member for member in members if member["user_id"] in inside]


def grant_groups_scope(
    lms: PlatformWithGroups, form: Mapping[str, str], granted: dict[str, Any]
) -> None:
    """Add the groups scope to a token lti1p3platform granted (the client assertion was
    checked there) when the tool asked for it."""
    if GROUPS_SCOPE not in str(form.get("scope", "")).split():
        return
    scopes = " ".join(filter(None, [granted.get("scope", ""), GROUPS_SCOPE]))
    now = int(time.time())
    granted["access_token"] = lms.registration.platform_encode_and_sign(
        {
            "sub": lms.client_id,
            "iss": lms.issuer,
            "scopes": scopes,
            "iat": now,
            "exp": now + int(granted.get("expires_in", 3600)),
        }
    )
    granted["scope"] = scopes


def register_course_groups(pages: Blueprint, platform: Callable[[], PlatformWithGroups]) -> None:
    def page_of(items: list[dict[str, Any]], key: str, media_type: str) -> Response:
        lms = platform()
        if not lms.authorised(request.headers.get("Authorization"), [GROUPS_SCOPE]):
            abort(401)
        limit = max(1, int(request.args.get("limit", str(len(items) or 1))))
        page = int(request.args.get("page", "1"))
        body = {"id": request.base_url, key: items[(page - 1) * limit : page * limit]}
        response = Response(json.dumps(body), content_type=media_type)
        if page * limit < len(items):
            query = {**request.args.to_dict(), "page": str(page + 1)}
            response.headers["Link"] = f'<{request.base_url}?{urlencode(query)}>; rel="next"'
        return response

    @pages.get("/gs/groups")
    def course_groups() -> Response:
        listed = platform().course_groups.listed(request.args.get("user_id"))
        return page_of(listed, "groups", GROUPS_TYPE)

    @pages.get("/gs/groupsets")
    def group_sets() -> Response:
        sets = platform().course_groups.sets
        return page_of(
            [{"id": key, "name": name} for key, name in sets.items()], "sets", GROUP_SETS_TYPE
        )
