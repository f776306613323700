"""Sharing a library item to other courses of the same LMS deployment.

Staff of the item's own course may share a published item to another course of the same
deployment in which they are staff too (Peerlearn knows this from the memberships of
their launches and roster syncs). There, the item is listed and may be read, commented
on and voted on; only the home course's staff and the author edit or moderate it.
Courses of another deployment or another platform are never offered and always refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from lti_tool.domain.errors import Forbidden, NotFound
from lti_tool.domain.library.moderation import Viewer, check_may_share, may_moderate
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library.access import ItemTarget
from lti_tool.library.item_statements import record_about_item
from lti_tool.library.moderation import audit
from lti_tool.persistence.library_models import LibraryShare
from lti_tool.persistence.models import Context, Membership
from xapi import library as statements

ACTIVE = "Active"


@dataclass(frozen=True)
class Course:
    context_id: int
    title: str
    shared: bool


def _deployment_of(connection: Connection, context_id: int) -> int | None:
    found: int | None = connection.scalar(
        select(Context.deployment_id).where(Context.id == context_id)
    )
    return found


def _course_title(row_title: str | None, label: str | None, lti_id: str) -> str:
    return row_title or label or f"Course {lti_id}"


def candidate_courses(connection: Connection, *, item: ItemTarget, staff_id: int) -> list[Course]:
    """Other courses of the item's deployment where ``staff_id`` is active staff, each
    marked when the item is already shared there."""
    deployment = _deployment_of(connection, item.context_id)
    shared = set(
        connection.scalars(select(LibraryShare.context_id).where(LibraryShare.item_id == item.id))
    )
    rows = connection.execute(
        select(Context.id, Context.title, Context.label, Context.lti_id)
        .join(Membership, Membership.context_id == Context.id)
        .where(
            Context.deployment_id == deployment,
            Context.id != item.context_id,
            Membership.user_id == staff_id,
            Membership.course_role == "staff",
            Membership.status == ACTIVE,
        )
        .order_by(Context.title, Context.id)
    )
    return [
        Course(row.id, _course_title(row.title, row.label, row.lti_id), row.id in shared)
        for row in rows
    ]


def shared_to(connection: Connection, item_id: int) -> list[Course]:
    """Every course the item is shared to (staff see all, even where they do not teach)."""
    rows = connection.execute(
        select(Context.id, Context.title, Context.label, Context.lti_id)
        .join(LibraryShare, LibraryShare.context_id == Context.id)
        .where(LibraryShare.item_id == item_id)
        .order_by(Context.title, Context.id)
    )
    return [
        Course(row.id, _course_title(row.title, row.label, row.lti_id), shared=True) for row in rows
    ]


def share(
    connection: Connection,
    *,
    viewer: Viewer,
    item: ItemTarget,
    target_context_id: int,
    now: datetime,
    recorder: Recorder,
) -> bool:
    """Share the item to one more course; False when it was shared there already."""
    candidates = {
        course.context_id: course
        for course in candidate_courses(connection, item=item, staff_id=viewer.user_id)
    }
    home_deployment = _deployment_of(connection, item.context_id)
    check_may_share(
        viewer,
        state=item.state,
        same_deployment=_deployment_of(connection, target_context_id) == home_deployment,
        staff_in_target=target_context_id in candidates,
        target_is_home=target_context_id == item.context_id,
    )
    if candidates[target_context_id].shared:
        return False
    share_id: int = connection.execute(
        insert(LibraryShare)
        .values(
            item_id=item.id,
            context_id=target_context_id,
            shared_by=viewer.user_id,
            shared_at=now,
        )
        .returning(LibraryShare.id)
    ).scalar_one()
    audit(
        connection,
        context_id=item.context_id,
        actor_id=viewer.user_id,
        action="shared",
        target=("item", item.id),
        at=now,
        details={"course": target_context_id},
    )
    record_about_item(
        recorder,
        connection,
        item.id,
        viewer.user_id,
        statements.shared,
        share_pk=share_id,
        target_course_pk=target_context_id,
        target_course_title=candidates[target_context_id].title,
        at=now,
    )
    return True


def unshare(
    connection: Connection,
    *,
    viewer: Viewer,
    item: ItemTarget,
    target_context_id: int,
    now: datetime,
) -> None:
    """Stop sharing the item to a course (home course staff only)."""
    if not may_moderate(viewer):
        raise Forbidden("Only staff of the item's own course can unshare it.", code="staff_only")
    removed = connection.execute(
        delete(LibraryShare).where(
            LibraryShare.item_id == item.id, LibraryShare.context_id == target_context_id
        )
    ).rowcount
    if not removed:
        raise NotFound("The item is not shared to that course.", code="share_not_found")
    audit(
        connection,
        context_id=item.context_id,
        actor_id=viewer.user_id,
        action="unshared",
        target=("item", item.id),
        at=now,
        details={"course": target_context_id},
    )
