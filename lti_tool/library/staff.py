"""Flagging, moderation and sharing, as acts: one function per thing a person does on
those pages, each in its own transaction.

Each opens its target as the viewer may see it (what they may not see is 404, so another
course learns nothing), checks that staff act where only staff may, and then applies
the rules of :mod:`moderation` and :mod:`sharing`. None knows of Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from lti_tool.domain.errors import Forbidden
from lti_tool.domain.library.moderation import (
    Policy,
    Reason,
    StaffAction,
    Viewer,
    may_moderate,
)
from lti_tool.domain.library.permissions import not_found
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library import access, moderation, sharing
from lti_tool.library.access import CommentTarget, CourseViewer, ItemTarget
from lti_tool.library.moderation_queue import (
    AuditEntry,
    ItemReview,
    ModerationQueue,
    course_queue,
    item_review,
    recent_audit,
)
from lti_tool.library.people import names_of

# Row ids are 32-bit in both databases: a larger number names nothing (and must not reach
# PostgreSQL, which would refuse the comparison).
ROW_ID_MAX = 2**31 - 1


def require_staff(viewer: Viewer) -> None:
    """Refuse unless ``viewer`` moderates the course (403 ``staff_only``)."""
    if not may_moderate(viewer):
        raise Forbidden("Only teaching staff of this course can do that.", code="staff_only")


def open_target(
    connection: Connection, viewer: CourseViewer, key: str
) -> tuple[ItemTarget, Viewer]:
    """The item ``key`` names as moderation and sharing act on it, and the viewer's
    standing towards it."""
    return access.open_target(
        connection,
        key=key,
        user_id=viewer.user_id,
        is_staff=viewer.is_staff,
        context_id=viewer.context_id,
    )


def open_comment(
    connection: Connection, viewer: CourseViewer, comment_id: int
) -> tuple[CommentTarget, ItemTarget, Viewer]:
    """The comment and its item as moderation acts on them, and the viewer's standing."""
    if comment_id > ROW_ID_MAX:
        raise not_found("There is no such comment here.")
    return access.open_comment(
        connection,
        comment_id=comment_id,
        user_id=viewer.user_id,
        is_staff=viewer.is_staff,
        context_id=viewer.context_id,
    )


def authorise_item(
    engine: Engine, viewer: CourseViewer, key: str, *, staff: bool = False
) -> ItemTarget:
    """The item, if the viewer may see it (404 otherwise) and, with ``staff``, moderate
    it (403 otherwise). Pages call this before reading a form: a refusal says no more."""
    with engine.connect() as connection:
        item, standing = open_target(connection, viewer, key)
    if staff:
        require_staff(standing)
    return item


def authorise_comment(
    engine: Engine, viewer: CourseViewer, comment_id: int, *, staff: bool = False
) -> ItemTarget:
    """The comment's item, as :func:`authorise_item` checks it for the comment."""
    with engine.connect() as connection:
        _comment, item, standing = open_comment(connection, viewer, comment_id)
    if staff:
        require_staff(standing)
    return item


# -- Flags ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagPage:
    """What a flag form shows: the item, whether it is the viewer's own, and the
    moderation notice its author reads."""

    item: ItemTarget
    own: bool
    notice_for_author: str | None = None


@dataclass(frozen=True)
class CommentFlagPage:
    """What a comment's flag form shows: the comment, its item, whether it is the
    viewer's own comment."""

    comment: CommentTarget
    item: ItemTarget
    own: bool


def flag_item_page(engine: Engine, viewer: CourseViewer, key: str) -> FlagPage:
    with engine.connect() as connection:
        item, standing = open_target(connection, viewer, key)
        own = item.author_id == standing.user_id
        notice = (
            moderation.author_notice(connection, item_id=item.id, author_id=standing.user_id)
            if own
            else None
        )
    return FlagPage(item, own, notice)


def flag_comment_page(engine: Engine, viewer: CourseViewer, comment_id: int) -> CommentFlagPage:
    with engine.connect() as connection:
        comment, item, standing = open_comment(connection, viewer, comment_id)
    return CommentFlagPage(comment, item, comment.author_id == standing.user_id)


def flag_item(
    engine: Engine,
    viewer: CourseViewer,
    key: str,
    reason: Reason,
    *,
    now: datetime,
    recorder: Recorder,
) -> ItemTarget:
    """Send the item to its course's staff; returns it (for the way back)."""
    with engine.begin() as connection:
        item, standing = open_target(connection, viewer, key)
        moderation.flag(
            connection,
            viewer=standing,
            item=item,
            comment=None,
            reason=reason,
            now=now,
            recorder=recorder,
        )
    return item


def flag_comment(
    engine: Engine,
    viewer: CourseViewer,
    comment_id: int,
    reason: Reason,
    *,
    now: datetime,
    recorder: Recorder,
) -> ItemTarget:
    """Send the comment to its item's course's staff; returns the item."""
    with engine.begin() as connection:
        comment, item, standing = open_comment(connection, viewer, comment_id)
        moderation.flag(
            connection,
            viewer=standing,
            item=item,
            comment=comment,
            reason=reason,
            now=now,
            recorder=recorder,
        )
    return item


# -- Moderation ----------------------------------------------------------------------


@dataclass(frozen=True)
class QueuePage:
    queue: ModerationQueue
    policy: Policy
    audit: list[AuditEntry]
    names: dict[int, str]


def queue_page(engine: Engine, context_id: int) -> QueuePage:
    """The course's queue, its policy, and what staff decided lately."""
    with engine.connect() as connection:
        found = course_queue(connection, context_id)
        policy = moderation.policy_of(connection, context_id)
        # Flags stay out of this list: staff judge the content, not who reported it.
        entries = [
            entry
            for entry in recent_audit(connection, context_id, limit=40)
            if entry.action != "flagged"
        ][:20]
        names = names_of(connection, {entry.actor_id for entry in entries if entry.actor_id})
    return QueuePage(found, policy, entries, names)


def review_item(engine: Engine, viewer: CourseViewer, key: str) -> tuple[ItemTarget, ItemReview]:
    """Staff read an item (whatever its state) with its comments and open flags."""
    with engine.connect() as connection:
        item, standing = open_target(connection, viewer, key)
        require_staff(standing)
        return item, item_review(connection, item)


def decide_item(
    engine: Engine,
    viewer: CourseViewer,
    key: str,
    action: StaffAction,
    note: str,
    *,
    now: datetime,
) -> None:
    with engine.begin() as connection:
        item, standing = open_target(connection, viewer, key)
        require_staff(standing)
        moderation.decide_item(
            connection, viewer=standing, item=item, action=action, note=note, now=now
        )


def decide_comment(
    engine: Engine,
    viewer: CourseViewer,
    comment_id: int,
    action: StaffAction,
    note: str,
    *,
    now: datetime,
) -> None:
    with engine.begin() as connection:
        comment, item, standing = open_comment(connection, viewer, comment_id)
        require_staff(standing)
        moderation.decide_comment(
            connection,
            viewer=standing,
            item=item,
            comment=comment,
            action=action,
            note=note,
            now=now,
        )


def policy_of(engine: Engine, context_id: int) -> Policy:
    with engine.connect() as connection:
        return moderation.policy_of(connection, context_id)


def set_policy(
    engine: Engine, viewer: Viewer, context_id: int, policy: Policy, *, now: datetime
) -> bool:
    """Set the course's publishing policy; False when it was that already."""
    with engine.begin() as connection:
        return moderation.set_policy(
            connection, viewer=viewer, context_id=context_id, policy=policy, now=now
        )


# -- Sharing -------------------------------------------------------------------------


@dataclass(frozen=True)
class SharePage:
    item: ItemTarget
    candidates: list[sharing.Course]
    shared: list[sharing.Course]


def share_page(engine: Engine, viewer: CourseViewer, key: str) -> SharePage:
    """The courses the item is shared to, and those staff may share it to."""
    with engine.connect() as connection:
        item, standing = open_target(connection, viewer, key)
        require_staff(standing)
        candidates = sharing.candidate_courses(connection, item=item, staff_id=viewer.user_id)
        return SharePage(item, candidates, sharing.shared_to(connection, item.id))


def share(
    engine: Engine,
    viewer: CourseViewer,
    key: str,
    target_context_id: int,
    *,
    now: datetime,
    recorder: Recorder,
) -> bool:
    """Share the item to another course; False when it was shared there already."""
    with engine.begin() as connection:
        item, standing = open_target(connection, viewer, key)
        require_staff(standing)
        return sharing.share(
            connection,
            viewer=standing,
            item=item,
            target_context_id=target_context_id,
            now=now,
            recorder=recorder,
        )


def unshare(
    engine: Engine, viewer: CourseViewer, key: str, target_context_id: int, *, now: datetime
) -> None:
    with engine.begin() as connection:
        item, standing = open_target(connection, viewer, key)
        require_staff(standing)
        sharing.unshare(
            connection, viewer=standing, item=item, target_context_id=target_context_id, now=now
        )
