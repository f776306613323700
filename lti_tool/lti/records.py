"""Store what a valid launch tells us: user, course, placement and roles.

Most launches come from people Peerlearn knows already. One query reads what is stored
for this person, course and placement; only what changed is written, each row as one
upsert (``INSERT ... ON CONFLICT DO UPDATE ... RETURNING id``), so two simultaneous first
launches cannot collide. ``last_launch_at`` is kept to the hour, so a relaunch within the
hour writes nothing here (its learning record is the only write).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select

from lti_tool.domain.launch import LaunchClaims, PersonClaims, display_name
from lti_tool.domain.roles import CourseRole
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.models import Base, Context, Membership, ResourceLink, User, utcnow

LAST_SEEN_RESOLUTION = timedelta(hours=1)


@dataclass(frozen=True)
class LaunchRecord:
    """The stored ids, and what the launched page shows."""

    user_id: int
    context_id: int | None
    resource_link_id: int | None
    course_role: str
    name: str
    context_title: str | None
    context_label: str | None
    link_title: str | None
    # Whether the course's roster can be read, and when it last was (roster sync).
    has_roster_service: bool = False
    roster_synced_at: datetime | None = None


# Built once: constructing a statement costs more than running it on a warm connection.
_STORED = (
    select(
        User.id.label("user_id"),
        User.name,
        User.given_name,
        User.family_name,
        User.email,
        User.display_name,
        User.last_launch_at.label("user_seen"),
        Context.id.label("context_id"),
        Context.title.label("context_title"),
        Context.label.label("context_label"),
        Context.types.label("context_types"),
        Context.memberships_url.label("context_memberships_url"),
        Context.lineitems_url.label("context_lineitems_url"),
        Context.groups_url.label("context_groups_url"),
        Context.groupsets_url.label("context_groupsets_url"),
        Context.roster_synced_at.label("context_roster_synced_at"),
        ResourceLink.id.label("link_id"),
        ResourceLink.context_id.label("link_context_id"),
        ResourceLink.title.label("link_title"),
        ResourceLink.description.label("link_description"),
        Membership.id.label("membership_id"),
        Membership.lti_roles,
        Membership.course_role,
        Membership.last_launch_at.label("membership_seen"),
        Membership.status.label("membership_status"),
    )
    .select_from(User)
    .outerjoin(
        Context,
        and_(
            Context.deployment_id == bindparam("deployment_pk"),
            Context.lti_id == bindparam("context_lti_id"),
        ),
    )
    .outerjoin(
        ResourceLink,
        and_(
            ResourceLink.deployment_id == bindparam("deployment_pk"),
            ResourceLink.lti_id == bindparam("link_lti_id"),
        ),
    )
    .outerjoin(Membership, and_(Membership.user_id == User.id, Membership.context_id == Context.id))
    .where(User.platform_id == bindparam("platform_id"), User.sub == bindparam("sub"))
)


def _upsert(
    connection: Connection, model: type[Base], keys: dict[str, Any], values: dict[str, Any]
) -> int:
    """Insert or update one row by its natural key; returns its id.

    ``None`` values are not written over stored ones: an LMS that withholds a name or a
    title this time has not erased it.
    """
    known = {name: value for name, value in values.items() if value is not None}
    statement = (
        dialect_insert(connection)(model)
        .values(**keys, **known)
        .on_conflict_do_update(index_elements=list(keys), set_=known or dict(keys))
        .returning(model.id)  # type: ignore[attr-defined]
    )
    return int(connection.execute(statement).scalar_one())


def _differs(stored: Any, prefix: str, values: dict[str, Any]) -> bool:
    """True when a sent (non-None) value differs from the stored one."""
    return any(
        value is not None and getattr(stored, prefix + name) != value
        for name, value in values.items()
    )


def _stale(seen: datetime | None, now: datetime) -> bool:
    return seen is None or now - seen >= LAST_SEEN_RESOLUTION


def record_launch(
    connection: Connection, *, platform_id: int, deployment_pk: int, claims: LaunchClaims
) -> LaunchRecord:
    """Upsert what the launch names and changed, in the caller's transaction."""
    now = utcnow()
    person, context_claim, link_claim = claims.person, claims.context, claims.resource_link
    stored = connection.execute(
        _STORED,
        {
            "deployment_pk": deployment_pk,
            "context_lti_id": context_claim.id if context_claim else None,
            "link_lti_id": link_claim.id if link_claim else None,
            "platform_id": platform_id,
            "sub": person.sub,
        },
    ).one_or_none()
    role = claims.course_role.value
    staff = claims.course_role is CourseRole.STAFF

    user_values = {
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
    }
    if (
        stored is not None
        and not _differs(stored, "", user_values)
        and not _stale(stored.user_seen, now)
    ):
        user_id = stored.user_id
    else:
        user_id = _upsert(
            connection,
            User,
            {"platform_id": platform_id, "sub": person.sub},
            {**user_values, "last_launch_at": now},
        )

    context_id = stored.context_id if stored is not None else None
    if context_claim is None:
        context_id = None
    else:
        context_values = {
            "title": context_claim.title,
            "label": context_claim.label,
            "types": list(context_claim.types) or None,
            # Kept so rosters and gradebooks can be reached outside a launch.
            "memberships_url": claims.memberships_url,
            "lineitems_url": claims.lineitems_url,
            # Course groups are read for staff (peer review group policies) only.
            "groups_url": claims.groups_url if staff else None,
            "groupsets_url": claims.groupsets_url if staff else None,
        }
        if context_id is None or _differs(stored, "context_", context_values):
            context_id = _upsert(
                connection,
                Context,
                {"deployment_id": deployment_pk, "lti_id": context_claim.id},
                context_values,
            )

    link_id = stored.link_id if stored is not None else None
    if link_claim is None:
        link_id = None
    else:
        link_values = {
            "context_id": context_id,
            "title": link_claim.title,
            "description": link_claim.description,
        }
        if link_id is None or _differs(stored, "link_", link_values):
            link_id = _upsert(
                connection,
                ResourceLink,
                {"deployment_id": deployment_pk, "lti_id": link_claim.id},
                link_values,
            )

    if context_id is not None and (
        stored is None
        or stored.membership_id is None
        or stored.lti_roles != list(claims.roles)
        or stored.course_role != role
        or stored.membership_status != "Active"
        or _stale(stored.membership_seen, now)
    ):
        # Whoever launches is an active member, whatever an older roster said.
        _upsert(
            connection,
            Membership,
            {"user_id": user_id, "context_id": context_id},
            {
                "lti_roles": list(claims.roles),
                "course_role": role,
                "last_launch_at": now,
                "status": "Active",
            },
        )

    merged = PersonClaims(
        sub=person.sub,
        name=person.name or (stored.name if stored else None),
        given_name=person.given_name or (stored.given_name if stored else None),
        family_name=person.family_name or (stored.family_name if stored else None),
    )
    return LaunchRecord(
        user_id=user_id,
        context_id=context_id,
        resource_link_id=link_id,
        course_role=role,
        name=display_name(merged, stored.display_name if stored else None),
        context_title=(context_claim.title or (stored.context_title if stored else None))
        if context_claim
        else None,
        context_label=(context_claim.label or (stored.context_label if stored else None))
        if context_claim
        else None,
        link_title=(link_claim.title or (stored.link_title if stored else None))
        if link_claim
        else None,
        has_roster_service=context_id is not None
        and bool(claims.memberships_url or (stored and stored.context_memberships_url)),
        roster_synced_at=stored.context_roster_synced_at
        if stored is not None and context_id == stored.context_id
        else None,
    )
