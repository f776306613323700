"""Staff set the groups of a peer review activity by hand, or take them from the LMS
(or stop doing so): each act one operation in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from lti_tool.courses.roster_requests import request_manual_sync
from lti_tool.domain.errors import BadRequest
from lti_tool.peer_review import audit, groups, lms_groups
from lti_tool.peer_review.people import people_of
from lti_tool.persistence.models import Context


@dataclass(frozen=True)
class GroupsPage:
    learners: list[tuple[int, str]]
    current: dict[int, str]
    sources: dict[int, str]
    offered_sets: list[lms_groups.OfferedSet]
    has_groups_service: bool
    groups_synced_at: datetime | None


def groups_page(engine: Engine, *, activity_id: int, context_id: int) -> GroupsPage:
    """The learners, their groups and where each came from, and the LMS's group sets."""
    with engine.connect() as connection:
        people = people_of(connection, context_id)
        current = groups.groups_of(connection, activity_id)
        sources = lms_groups.sources_of(connection, activity_id)
        offered = lms_groups.offered_sets(connection, context_id)
        service = connection.execute(
            select(Context.groups_url, Context.groups_synced_at).where(Context.id == context_id)
        ).one()
    learners = sorted(
        ((pid, p["name"]) for pid, p in people.items() if p["role"] == "learner"),
        key=lambda item: item[1],
    )
    return GroupsPage(
        learners, current, sources, offered, bool(service.groups_url), service.groups_synced_at
    )


def save_groups(
    engine: Engine, *, activity_id: int, context_id: int, chosen: Mapping[int, str]
) -> None:
    """Staff's groups, by learner; LMS groups kept where the activity uses them."""
    with engine.begin() as connection:
        groups.set_groups(connection, activity_id=activity_id, context_id=context_id, chosen=chosen)
        lms_groups.refresh(connection, activity_id=activity_id, context_id=context_id)


def choose_lms_groups(
    engine: Engine,
    *,
    activity_id: int,
    context_id: int,
    platform_id: int,
    staff_id: int,
    use: bool,
    set_lms_id: str | None,
    now: datetime,
) -> None:
    """Take the activity's groups from the LMS (one group set, or all), or stop."""
    with engine.begin() as connection:
        service = connection.execute(
            select(Context.groups_url, Context.groups_synced_at).where(Context.id == context_id)
        ).one()
        if use and not service.groups_url:
            raise BadRequest(
                "Your LMS has not offered this course's groups to Peerlearn.",
                code="no_groups_service",
            )
        if not use:
            lms_groups.stop_using_lms_groups(connection, activity_id=activity_id)
        else:
            lms_groups.use_lms_groups(
                connection, activity_id=activity_id, context_id=context_id, set_lms_id=set_lms_id
            )
            if service.groups_synced_at is None:
                # Nothing read yet: ask for the roster and groups now, not at the next launch.
                request_manual_sync(
                    connection, platform_id=platform_id, context_id=context_id, now=now
                )
        # Groups decide who may review whom: a change of their source is on the record.
        audit.record_change(
            connection,
            activity_id=activity_id,
            changed_by=staff_id,
            at=now,
            changes={"groups": {"source": "lms" if use else "staff", "set": set_lms_id}},
        )
