"""Course roster sync (Names and Role Provisioning): everyone in a course, launched or not.

A full sync reads every page of the roster, upserts people and memberships (status,
roles, ``roster_seen_at``) and marks members the roster no longer lists as Deleted. It
keeps the roster's ``differences`` link, so the next sync asks only for what changed;
when that link is refused (4xx) or was never offered, the sync is a full one again.
Writes are batched (multi-row upserts, one transaction), never one round trip per member.

Syncs never run inside a request. A staff launch (at most once per
``PEERLEARN_ROSTER_SYNC_MINUTES`` per course) or a teacher's "sync now" writes a request
to the durable outbox, and :class:`RosterWorker` (``peerlearn lti deliver``) runs it;
an LMS that is down is retried with backoff (``lti_tool.courses.roster_worker``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Connection, Engine, Table, case, func, select, update

from lti_tool.domain.errors import NotFound
from lti_tool.domain.launch import MAX_URL
from lti_tool.domain.roles import CourseRole
from lti_tool.domain.roster import (
    MemberStatus,
    RosterMember,
    StoredPerson,
    parse_members,
    plan_sync,
    request_key,
)
from lti_tool.lti.nrps import NrpsClient, Roster, RosterError
from lti_tool.lti.registrations import RegistrationDirectory
from lti_tool.outbox import store as outbox
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.models import Context, Deployment, Membership, Platform, User, utcnow

TOPIC = "nrps-sync"
CHUNK = 500  # ids per IN (...) list
log = logging.getLogger("peerlearn.roster")

USERS = cast(Table, User.__table__)
MEMBERSHIPS = cast(Table, Membership.__table__)


def destination_for(platform_id: int) -> str:
    return f"nrps:{platform_id}"


def request_sync(
    connection: Connection,
    *,
    platform_id: int,
    context_id: int,
    now: datetime,
    interval: timedelta,
    kind: str = "auto",
    full: bool = False,
) -> None:
    """Ask for a sync of the course's roster, in the caller's transaction.

    Requests of one kind within one window of ``interval`` are one message.
    """
    outbox.enqueue(
        connection,
        topic=TOPIC,
        destinations=[destination_for(platform_id)],
        key=request_key(context_id, now, interval, kind=kind),
        payload=json.dumps(
            {"context_id": context_id, "full": full, "requested_at": now.timestamp()}
        ),
        now=now.timestamp(),
    )


@dataclass(frozen=True)
class SyncResult:
    context_id: int
    kind: str  # "full", "differences", or "none" (nothing to do)
    listed: int = 0
    people_written: int = 0
    departed: int = 0


@dataclass(frozen=True)
class _Target:
    platform_id: int
    issuer: str
    client_id: str
    memberships_url: str | None
    differences_url: str | None
    synced_at: datetime | None


class RosterSync:
    """Reads a course's roster from its LMS and stores it."""

    def __init__(
        self,
        engine: Engine,
        nrps: NrpsClient,
        registrations: RegistrationDirectory,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._nrps = nrps
        self._registrations = registrations
        self._clock = clock

    def sync(
        self, context_id: int, *, full: bool = False, unless_synced_since: datetime | None = None
    ) -> SyncResult:
        """Sync one course; ``unless_synced_since`` skips it when a sync started after
        that time already (a queued request that a later sync satisfied)."""
        target = self._target(context_id)
        if (
            unless_synced_since is not None
            and target.synced_at is not None
            and target.synced_at >= unless_synced_since
        ):
            return SyncResult(context_id, "none")
        if not target.memberships_url:
            log.info("no roster service for this course", extra={"context": context_id})
            return SyncResult(context_id, "none")
        registration = self._registrations.find(target.issuer, target.client_id)
        if registration is None:
            raise NotFound(f"The LMS of course {context_id} is no longer registered.")
        started = self._clock()
        roster, kind = None, "full"
        if target.differences_url and not full:
            try:
                roster = self._nrps.roster(registration, target.differences_url)
                kind = "differences"
            except RosterError as error:
                if not 400 <= error.http_status < 500:
                    raise
                log.warning(
                    "differences link refused, reading the whole roster",
                    extra={"context": context_id, "error": error.detail[:300]},
                )
        if roster is None:
            roster = self._nrps.roster(registration, target.memberships_url)
        return self._store(target, context_id, roster, full=kind == "full", at=started)

    def _target(self, context_id: int) -> _Target:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    Platform.id,
                    Platform.issuer,
                    Platform.client_id,
                    Context.memberships_url,
                    Context.roster_differences_url,
                    Context.roster_synced_at,
                )
                .join(Deployment, Deployment.id == Context.deployment_id)
                .join(Platform, Platform.id == Deployment.platform_id)
                .where(Context.id == context_id)
            ).one_or_none()
        if row is None:
            raise NotFound(f"There is no course {context_id}.", code="unknown_context")
        return _Target(*row)

    def _store(
        self, target: _Target, context_id: int, roster: Roster, *, full: bool, at: datetime
    ) -> SyncResult:
        listed = parse_members(roster.members)
        with self._engine.begin() as connection:
            stored = _stored_people(connection, context_id)
            plan = plan_sync(stored, listed, full=full)
            user_ids = {sub: person.user_id for sub, person in stored.items()}
            user_ids.update(_write_people(connection, target.platform_id, plan.people, at))
            _write_memberships(connection, context_id, plan.members, user_ids, at)
            _mark_departed(connection, context_id, plan.departed_user_ids)
            connection.execute(
                update(Context)
                .where(Context.id == context_id)
                .values(roster_synced_at=at, roster_differences_url=_storable(roster))
            )
        log.info(
            "roster synced",
            extra={
                "context": context_id,
                "kind": "full" if full else "differences",
                "listed": len(listed),
                "departed": len(plan.departed_user_ids),
            },
        )
        return SyncResult(
            context_id,
            "full" if full else "differences",
            listed=len(listed),
            people_written=len(plan.people),
            departed=len(plan.departed_user_ids),
        )


@dataclass(frozen=True)
class CourseMember:
    """A row of the staff roster page."""

    user_id: int
    name: str
    course_role: str
    status: str
    launched: bool  # False for people known only from the roster
    roster_seen_at: datetime | None


@dataclass(frozen=True)
class CourseRoster:
    members: list[CourseMember]
    has_roster_service: bool
    synced_at: datetime | None


def session_revoked(engine: Engine, *, user_id: int, context_id: int, as_staff: bool) -> bool:
    """Whether a launch session of this person in this course has ended, however young its
    token: the roster last named them Inactive or Deleted, or the session carries staff
    rights the stored membership no longer grants (a role corrected since, e.g. an LTI
    Mentor once stored as staff). One read on the (user_id, context_id) unique index. A
    new launch marks them Active again and stores their role as the LMS now sends it."""
    with engine.connect() as connection:
        member = connection.execute(
            select(MEMBERSHIPS.c.status, MEMBERSHIPS.c.course_role).where(
                MEMBERSHIPS.c.user_id == user_id, MEMBERSHIPS.c.context_id == context_id
            )
        ).one_or_none()
    if member is None:
        return False
    left = member.status in {MemberStatus.INACTIVE.value, MemberStatus.DELETED.value}
    return left or (as_staff and member.course_role != CourseRole.STAFF.value)


def has_roster_service(connection: Connection, context_id: int) -> bool:
    """Whether a launch named the course's roster endpoint."""
    return bool(connection.scalar(select(Context.memberships_url).where(Context.id == context_id)))


def course_roster(connection: Connection, context_id: int) -> CourseRoster:
    """Everyone stored for a course, active first, then by name."""
    context = connection.execute(
        select(Context.memberships_url, Context.roster_synced_at).where(Context.id == context_id)
    ).one_or_none()
    rows = connection.execute(
        select(
            User.id,
            func.coalesce(User.display_name, User.name, User.given_name, User.sub),
            Membership.course_role,
            Membership.status,
            Membership.last_launch_at.is_not(None),
            Membership.roster_seen_at,
        )
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id)
    )
    order = {status.value: rank for rank, status in enumerate(MemberStatus)}
    members = sorted(
        (CourseMember(*row) for row in rows),
        key=lambda m: (order.get(m.status, len(order)), m.name.casefold()),
    )
    return CourseRoster(
        members=members,
        has_roster_service=bool(context and context.memberships_url),
        synced_at=context.roster_synced_at if context else None,
    )


def _storable(roster: Roster) -> str | None:
    """The differences link, unless it is longer than its column (then: full next time)."""
    url = roster.differences_url
    return url if url and len(url) <= MAX_URL else None


def _stored_people(connection: Connection, context_id: int) -> dict[str, StoredPerson]:
    rows = connection.execute(
        select(
            User.sub,
            User.id,
            User.name,
            User.given_name,
            User.family_name,
            User.email,
            Membership.status,
        )
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id)
    )
    return {row[0]: StoredPerson(*row[1:]) for row in rows}


def _write_people(
    connection: Connection, platform_id: int, people: Sequence[RosterMember], at: datetime
) -> dict[str, int]:
    """Upsert people (names the roster withholds keep their stored values); sub -> id."""
    if not people:
        return {}
    insert = dialect_insert(connection)(USERS)
    fields = ("name", "given_name", "family_name", "email")
    statement = insert.on_conflict_do_update(
        index_elements=["platform_id", "sub"],
        set_={name: func.coalesce(insert.excluded[name], USERS.c[name]) for name in fields},
    ).returning(USERS.c.sub, USERS.c.id)
    rows = connection.execute(
        statement,
        [
            {"platform_id": platform_id, "sub": p.sub, "created_at": at, **p.person_values()}
            for p in people
        ],
    )
    return {row.sub: row.id for row in rows}


def _write_memberships(
    connection: Connection,
    context_id: int,
    members: Sequence[RosterMember],
    user_ids: dict[str, int],
    at: datetime,
) -> None:
    """Upsert every listed member's status and ``roster_seen_at``.

    Roles come from the roster only for members who never launched: a launch's roles
    (with institution roles) decide what someone may do, and are refreshed by each launch.
    """
    if not members:
        return
    insert = dialect_insert(connection)(MEMBERSHIPS)
    never_launched = MEMBERSHIPS.c.last_launch_at.is_(None)
    statement = insert.on_conflict_do_update(
        index_elements=["user_id", "context_id"],
        set_={
            "status": insert.excluded.status,
            "roster_seen_at": insert.excluded.roster_seen_at,
            "lti_roles": case(
                (never_launched, insert.excluded.lti_roles), else_=MEMBERSHIPS.c.lti_roles
            ),
            "course_role": case(
                (never_launched, insert.excluded.course_role), else_=MEMBERSHIPS.c.course_role
            ),
        },
    )
    connection.execute(
        statement,
        [
            {
                "user_id": user_ids[member.sub],
                "context_id": context_id,
                "lti_roles": list(member.roles),
                "course_role": member.course_role.value,
                "status": member.status.value,
                "roster_seen_at": at,
            }
            for member in members
        ],
    )


def _mark_departed(connection: Connection, context_id: int, user_ids: Sequence[int]) -> None:
    for start in range(0, len(user_ids), CHUNK):
        connection.execute(
            update(Membership)
            .where(
                Membership.context_id == context_id,
                Membership.user_id.in_(user_ids[start : start + CHUNK]),
            )
            .values(status=MemberStatus.DELETED.value)
        )
