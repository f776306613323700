"""Course rosters (Names and Role Provisioning): who is in a course, and in what state.

Everything here decides without I/O: what a roster member is, which stored people need
writing, who left the course, and when a sync is due. ``lti_tool.courses.roster`` reads the LMS
and the database around it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lti_tool.domain.launch import trimmed_text
from lti_tool.domain.roles import CourseRole, course_role


class MemberStatus(enum.StrEnum):
    """A member's state as NRPS names it; a launch always means Active."""

    ACTIVE = "Active"
    INACTIVE = "Inactive"
    DELETED = "Deleted"


def member_status(raw: Any) -> MemberStatus:
    """The status an LMS sent; NRPS says a member without one is Active."""
    if isinstance(raw, str):
        for status in MemberStatus:
            if raw.strip().lower() == status.value.lower():
                return status
    return MemberStatus.ACTIVE


@dataclass(frozen=True)
class RosterMember:
    """One member as the roster lists them; names the LMS withheld are None."""

    sub: str
    roles: tuple[str, ...]
    status: MemberStatus = MemberStatus.ACTIVE
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None

    @property
    def course_role(self) -> CourseRole:
        return course_role(self.roles)

    def person_values(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email": self.email,
        }


@dataclass(frozen=True)
class StoredPerson:
    """What is stored for a person who is (or was) a member of the course."""

    user_id: int
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    status: str = MemberStatus.ACTIVE.value


def parse_members(raw_members: Iterable[Any]) -> list[RosterMember]:
    """Roster entries as members, in roster order; the last entry for a user wins."""
    found: dict[str, RosterMember] = {}
    for raw in raw_members:
        if not isinstance(raw, Mapping):
            continue
        sub = trimmed_text(raw.get("user_id"))
        if sub is None:
            continue
        raw_roles = raw.get("roles")
        roles = (
            tuple(role for role in raw_roles if isinstance(role, str))
            if isinstance(raw_roles, list)
            else ()
        )
        found.pop(sub, None)
        found[sub] = RosterMember(
            sub=sub,
            roles=roles,
            status=member_status(raw.get("status")),
            name=trimmed_text(raw.get("name")),
            given_name=trimmed_text(raw.get("given_name")),
            family_name=trimmed_text(raw.get("family_name")),
            email=trimmed_text(raw.get("email"), limit=320),
        )
    return list(found.values())


def person_changed(stored: StoredPerson | None, member: RosterMember) -> bool:
    """True when the person is new here or the roster sends a name that differs.

    A withheld (None) value never counts: it must not erase what a launch stored.
    """
    if stored is None:
        return True
    return any(
        value is not None and getattr(stored, field) != value
        for field, value in member.person_values().items()
    )


@dataclass(frozen=True)
class RosterPlan:
    """What one sync writes."""

    people: list[RosterMember]  # new to this course, or with a changed name
    members: list[RosterMember]  # every member listed: their membership rows
    departed_user_ids: list[int]  # stored members a full roster no longer lists


def plan_sync(
    stored: Mapping[str, StoredPerson], listed: Sequence[RosterMember], *, full: bool
) -> RosterPlan:
    """Decide the writes for ``listed`` against what is ``stored`` (keyed by LTI sub).

    A full roster lists everyone, so stored members it omits have left (Deleted). A
    differences roster lists only changes, each with its status, so omissions mean
    nothing.
    """
    people = [member for member in listed if person_changed(stored.get(member.sub), member)]
    departed: list[int] = []
    if full:
        listed_subs = {member.sub for member in listed}
        departed = sorted(
            person.user_id
            for sub, person in stored.items()
            if sub not in listed_subs and person.status != MemberStatus.DELETED.value
        )
    return RosterPlan(people=people, members=list(listed), departed_user_ids=departed)


def sync_due(
    *,
    role: CourseRole | str,
    has_roster_service: bool,
    synced_at: datetime | None,
    now: datetime,
    interval: timedelta,
) -> bool:
    """Whether a launch should ask for a roster sync: staff launches only, where the LMS
    offers a roster, and not again within ``interval`` of the last sync."""
    if role != CourseRole.STAFF or not has_roster_service:
        return False
    return synced_at is None or now - synced_at >= interval


def request_key(context_id: int, now: datetime, interval: timedelta, *, kind: str = "auto") -> str:
    """The outbox key of a sync request: one per course, kind and window of ``interval``,
    so requests within the same window collapse into one."""
    window = int(now.timestamp() // max(1.0, interval.total_seconds()))
    return f"{context_id}:{kind}:{window}"
