"""Activities in the database: created from deep linking, found again by each launch.

A launch finds its activity by the resource link it came through; a link seen for the
first time is bound by the ``peerlearn_activity`` custom parameter the deep-linking
response set. When that parameter names an activity of another course of the same
platform (the LMS copied the course and handed out new resource link ids), the activity
is copied into this course once, and every copied link of the course shares that copy.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lti_tool.domain.activities import ActivityPlan
from lti_tool.lti.deep_linking import ACTIVITY_PARAMETER
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.models import Activity, Context, Deployment, ResourceLink, utcnow

log = logging.getLogger("peerlearn.activities")


@dataclass(frozen=True)
class PlacedActivity:
    id: int
    key: str
    kind: str
    title: str
    context_id: int
    settings: Mapping[str, Any]
    line_item_url: str | None
    score_maximum: float | None


_COLUMNS = (
    Activity.id,
    Activity.key,
    Activity.kind,
    Activity.title,
    Activity.context_id,
    Activity.settings,
    Activity.line_item_url,
    Activity.score_maximum,
)


def _placed(row: Any) -> PlacedActivity:
    return PlacedActivity(
        id=row.id,
        key=row.key,
        kind=row.kind,
        title=row.title,
        context_id=row.context_id,
        settings=dict(row.settings or {}),
        line_item_url=row.line_item_url,
        score_maximum=row.score_maximum,
    )


def create_activities(
    connection: Connection, *, context_id: int, created_by: int, plans: Sequence[ActivityPlan]
) -> list[str]:
    """Store one activity per plan, in the caller's transaction; returns their keys."""
    keys = [str(uuid.uuid4()) for _plan in plans]
    if plans:
        connection.execute(
            insert(Activity),
            [
                {
                    "key": key,
                    "context_id": context_id,
                    "kind": plan.kind,
                    "title": plan.title,
                    "settings": dict(plan.settings),
                    "score_maximum": plan.gradebook.score_maximum if plan.gradebook else None,
                    "created_by": created_by,
                    "created_at": utcnow(),
                }
                for key, plan in zip(keys, plans, strict=True)
            ],
        )
    return keys


def activity_for_launch(
    connection: Connection,
    *,
    platform_id: int,
    context_id: int | None,
    resource_link_id: int | None,
    custom: Mapping[str, str],
    line_item_url: str | None,
) -> PlacedActivity | None:
    """The activity a resource link launch opens, binding a new link to it on the way."""
    if resource_link_id is None:
        return None
    bound = connection.execute(
        select(*_COLUMNS)
        .join(ResourceLink, ResourceLink.activity_id == Activity.id)
        .where(ResourceLink.id == resource_link_id)
    ).one_or_none()
    found = _placed(bound) if bound is not None else None
    if found is None:
        found = _bind(connection, platform_id, context_id, resource_link_id, custom)
    if found is not None and line_item_url and line_item_url != found.line_item_url:
        # The LMS names the gradebook column it made from our line item in each launch.
        connection.execute(
            update(Activity).where(Activity.id == found.id).values(line_item_url=line_item_url)
        )
        found = PlacedActivity(**{**found.__dict__, "line_item_url": line_item_url})
    return found


def _bind(
    connection: Connection,
    platform_id: int,
    context_id: int | None,
    resource_link_id: int,
    custom: Mapping[str, str],
) -> PlacedActivity | None:
    key = custom.get(ACTIVITY_PARAMETER, "").strip()
    if not key or context_id is None:
        return None
    # Only an activity of the same platform: custom parameters can be edited by hand.
    source = connection.execute(
        select(*_COLUMNS)
        .join(Context, Context.id == Activity.context_id)
        .join(Deployment, Deployment.id == Context.deployment_id)
        .where(Activity.key == key, Deployment.platform_id == platform_id)
    ).one_or_none()
    if source is None:
        log.info("launch names an unknown activity", extra={"activity_key": key})
        return None
    activity = _placed(source)
    if activity.context_id != context_id:
        activity = _copy_into(connection, activity, context_id)
    connection.execute(
        update(ResourceLink)
        .where(ResourceLink.id == resource_link_id)
        .values(activity_id=activity.id)
    )
    return activity


def _copy_into(connection: Connection, source: PlacedActivity, context_id: int) -> PlacedActivity:
    """This course's copy of ``source``: made once, even by simultaneous first launches."""
    statement = dialect_insert(connection)(Activity).values(
        key=str(uuid.uuid4()),
        context_id=context_id,
        kind=source.kind,
        title=source.title,
        settings=dict(source.settings),
        score_maximum=source.score_maximum,
        copied_from_id=source.id,
        created_at=utcnow(),
    )
    connection.execute(
        statement.on_conflict_do_nothing(index_elements=["context_id", "copied_from_id"])
    )
    copy = connection.execute(
        select(*_COLUMNS).where(
            Activity.context_id == context_id, Activity.copied_from_id == source.id
        )
    ).one()
    log.info(
        "activity copied into another course",
        extra={"activity_id": source.id, "copy_id": copy.id, "context_id": context_id},
    )
    return _placed(copy)


def activity_by_id(connection: Connection, activity_id: int) -> PlacedActivity | None:
    row = connection.execute(select(*_COLUMNS).where(Activity.id == activity_id)).one_or_none()
    return _placed(row) if row is not None else None
