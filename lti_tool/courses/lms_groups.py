"""Course groups sync (LTI Course Groups Service): a course's LMS groups and who is in them.

It runs with the roster sync, in the same queued request (``nrps-sync``, run by
:class:`lti_tool.courses.roster_worker.RosterWorker`), right after the roster: group members are
named by their LTI ``sub``, and the roster has just stored everyone. A sync reads the
group sets, every page of groups, and each group's members (the roster service filtered
by group), then replaces the course's ``lms_group`` and ``lms_group_member`` rows in one
transaction and tells its *listeners* (in that transaction) that the course's groups
changed: features that use the LMS's groups (peer review refreshes its activities) register
one at wiring time (:func:`lti_tool.services.build_services`), so courses import no feature.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Engine, Table, delete, insert, select, update

from lti_tool.domain.course_groups import CourseGroup, GroupSet
from lti_tool.domain.errors import NotFound
from lti_tool.lti.course_groups import CourseGroupsClient
from lti_tool.lti.registrations import RegistrationDirectory
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.models import (
    Context,
    Deployment,
    LmsGroup,
    LmsGroupMember,
    Membership,
    Platform,
    User,
    utcnow,
)

CHUNK = 500
log = logging.getLogger("peerlearn.groups")
GROUPS = cast(Table, LmsGroup.__table__)

# Called with the connection and the course's id, in the transaction that stored its groups.
GroupsChanged = Callable[[Connection, int], None]


@dataclass(frozen=True)
class GroupSyncResult:
    context_id: int
    kind: str  # "full", or "none" (no groups service, or synced already)
    groups: int = 0
    members: int = 0


@dataclass(frozen=True)
class _Target:
    issuer: str
    client_id: str
    groups_url: str | None
    groupsets_url: str | None
    memberships_url: str | None
    synced_at: datetime | None


class GroupSync:
    """Reads a course's groups from its LMS and stores them."""

    def __init__(
        self,
        engine: Engine,
        client: CourseGroupsClient,
        registrations: RegistrationDirectory,
        *,
        listeners: Sequence[GroupsChanged] = (),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._client = client
        self._registrations = registrations
        self._listeners = tuple(listeners)
        self._clock = clock

    def sync(
        self, context_id: int, *, unless_synced_since: datetime | None = None
    ) -> GroupSyncResult:
        target = self._target(context_id)
        if not target.groups_url:
            return GroupSyncResult(context_id, "none")
        if (
            unless_synced_since is not None
            and target.synced_at is not None
            and target.synced_at >= unless_synced_since
        ):
            return GroupSyncResult(context_id, "none")
        registration = self._registrations.find(target.issuer, target.client_id)
        if registration is None:
            raise NotFound(f"The LMS of course {context_id} is no longer registered.")
        started = self._clock()
        sets = (
            self._client.group_sets(registration, target.groupsets_url)
            if target.groupsets_url
            else []
        )
        groups = self._client.groups(registration, target.groups_url)
        members: dict[str, list[str]] = {}
        if target.memberships_url:
            for group in groups:
                members[group.lms_id] = self._client.members(
                    registration, target.memberships_url, group.lms_id
                )
        else:
            log.warning(
                "groups without a roster service: no members", extra={"context": context_id}
            )
        with self._engine.begin() as connection:
            stored = _store(connection, context_id, sets, groups, members, at=started)
            for groups_changed in self._listeners:
                groups_changed(connection, context_id)
        log.info(
            "groups synced", extra={"context": context_id, "groups": len(groups), "members": stored}
        )
        return GroupSyncResult(context_id, "full", groups=len(groups), members=stored)

    def _target(self, context_id: int) -> _Target:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    Platform.issuer,
                    Platform.client_id,
                    Context.groups_url,
                    Context.groupsets_url,
                    Context.memberships_url,
                    Context.groups_synced_at,
                )
                .join(Deployment, Deployment.id == Context.deployment_id)
                .join(Platform, Platform.id == Deployment.platform_id)
                .where(Context.id == context_id)
            ).one_or_none()
        if row is None:
            raise NotFound(f"There is no course {context_id}.", code="unknown_context")
        return _Target(*row)


def _store(
    connection: Connection,
    context_id: int,
    sets: Sequence[GroupSet],
    groups: Sequence[CourseGroup],
    members: Mapping[str, Sequence[str]],
    *,
    at: datetime,
) -> int:
    """Replace the course's groups and their members; returns member rows written."""
    set_names = {group_set.lms_id: group_set.name for group_set in sets}
    group_ids: dict[str, int] = {}
    if groups:
        statement = dialect_insert(connection)(GROUPS)
        statement = statement.on_conflict_do_update(
            index_elements=["context_id", "lms_id"],
            set_={
                name: statement.excluded[name]
                for name in ("name", "set_lms_id", "set_name", "seen_at")
            },
        ).returning(GROUPS.c.lms_id, GROUPS.c.id)
        rows = connection.execute(
            statement,
            [
                {
                    "context_id": context_id,
                    "lms_id": group.lms_id,
                    "name": group.name,
                    "set_lms_id": group.set_ids[0] if group.set_ids else None,
                    "set_name": set_names.get(group.set_ids[0]) if group.set_ids else None,
                    "seen_at": at,
                }
                for group in groups
            ],
        )
        group_ids = {row.lms_id: row.id for row in rows}
    context_groups = select(LmsGroup.id).where(LmsGroup.context_id == context_id)
    connection.execute(delete(LmsGroupMember).where(LmsGroupMember.group_id.in_(context_groups)))
    gone = list(
        connection.scalars(context_groups.where(LmsGroup.id.not_in(list(group_ids.values()))))
    )
    for start in range(0, len(gone), CHUNK):
        connection.execute(delete(LmsGroup).where(LmsGroup.id.in_(gone[start : start + CHUNK])))
    user_ids = _people(connection, context_id, {sub for subs in members.values() for sub in subs})
    rows_to_write = [
        {"group_id": group_ids[lms_id], "user_id": user_ids[sub]}
        for lms_id, subs in members.items()
        if lms_id in group_ids
        for sub in dict.fromkeys(subs)
        if sub in user_ids
    ]
    if rows_to_write:
        connection.execute(insert(LmsGroupMember), rows_to_write)
    connection.execute(update(Context).where(Context.id == context_id).values(groups_synced_at=at))
    return len(rows_to_write)


def _people(connection: Connection, context_id: int, subs: set[str]) -> dict[str, int]:
    """Course members' ids by ``sub``; people the roster never listed are left out."""
    ordered = sorted(subs)
    found: dict[str, int] = {}
    for start in range(0, len(ordered), CHUNK):
        found.update(
            connection.execute(
                select(User.sub, User.id)
                .join(Membership, Membership.user_id == User.id)
                .where(
                    Membership.context_id == context_id,
                    User.sub.in_(ordered[start : start + CHUNK]),
                )
            ).all()
        )
    return found
