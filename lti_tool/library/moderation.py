"""Library moderation: flags, the staff queue, staff decisions and the course policy.

Each operation runs in the caller's transaction and writes exactly one ``lib_audit`` row
for the act. A decision resolves the target's open flags with its outcome and tells the
author in a ``moderation`` notification that never names who flagged. State changes are
conditional updates on the state staff saw, so two staff deciding at once cannot both
win.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from lti_tool.domain.errors import Forbidden
from lti_tool.domain.library.moderation import (
    CommentState,
    FlagReason,
    Policy,
    Reason,
    StaffAction,
    TargetKind,
    TransitionRefused,
    Viewer,
    author_message,
    check_may_flag,
    comment_transition,
    flag_outcome,
    item_transition,
    may_moderate,
    read_reason,
)
from lti_tool.domain.library.permissions import ItemState
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library.access import CommentTarget, ItemTarget
from lti_tool.library.item_statements import record_about_item
from lti_tool.library.items import announce_published
from lti_tool.persistence.library_models import (
    LibraryAudit,
    LibraryComment,
    LibraryCourse,
    LibraryFlag,
    LibraryItem,
    LibraryNotification,
)
from xapi import library as statements


def audit(
    connection: Connection,
    *,
    context_id: int,
    actor_id: int,
    action: str,
    target: tuple[str, int],
    at: datetime,
    details: dict[str, Any] | None = None,
) -> None:
    """One ``lib_audit`` row, in the caller's transaction."""
    connection.execute(
        insert(LibraryAudit).values(
            context_id=context_id,
            actor_id=actor_id,
            action=action,
            target_kind=target[0],
            target_id=target[1],
            details=details or {},
            at=at,
        )
    )


def _check_staff(viewer: Viewer) -> None:
    if not may_moderate(viewer):
        raise Forbidden("Only staff of this course can moderate its library.", code="staff_only")


def _has_open_flag(connection: Connection, target: tuple[TargetKind, int], user_id: int) -> bool:
    return (
        connection.execute(
            select(LibraryFlag.id).where(
                LibraryFlag.target_kind == target[0].value,
                LibraryFlag.target_id == target[1],
                LibraryFlag.flagged_by == user_id,
                LibraryFlag.resolved_at.is_(None),
            )
        ).first()
        is not None
    )


def flag(
    connection: Connection,
    *,
    viewer: Viewer,
    item: ItemTarget,
    comment: CommentTarget | None,
    reason: Reason,
    now: datetime,
    recorder: Recorder,
) -> int:
    """Flag the item, or the comment on it, for the item's own course's staff."""
    kind = TargetKind.ITEM if comment is None else TargetKind.COMMENT
    target = (kind, item.id if comment is None else comment.id)
    author = item.author_id if comment is None else comment.author_id
    # On PostgreSQL, one person's two flags at once queue on the target's row, so the
    # second sees the first and is refused ("once while open" without a unique index).
    table = LibraryItem if comment is None else LibraryComment
    connection.execute(select(table.id).where(table.id == target[1]).with_for_update())
    check_may_flag(
        viewer,
        author_id=author,
        visible=True,  # the caller loaded the target through what this viewer may see
        published=item.state is ItemState.PUBLISHED,
        already_flagged=_has_open_flag(connection, target, viewer.user_id),
    )
    flag_id: int = connection.execute(
        insert(LibraryFlag)
        .values(
            context_id=item.context_id,
            target_kind=kind.value,
            target_id=target[1],
            flagged_by=viewer.user_id,
            reason=reason.text,
            created_at=now,
        )
        .returning(LibraryFlag.id)
    ).scalar_one()
    audit(
        connection,
        context_id=item.context_id,
        actor_id=viewer.user_id,
        action="flagged",
        target=(kind.value, target[1]),
        at=now,
        details={"flag": flag_id, "reason": reason.category.value, "from": viewer.relation},
    )
    record_about_item(
        recorder,
        connection,
        item.id,
        viewer.user_id,
        statements.flagged,
        flag_pk=flag_id,
        reason=reason.text,
        comment_pk=None if comment is None else comment.id,
        at=now,
    )
    return flag_id


def _resolve_flags(
    connection: Connection,
    *,
    target: tuple[TargetKind, int],
    outcome: str | None,
    staff_id: int,
    now: datetime,
) -> tuple[FlagReason, ...]:
    """Close the target's open flags with ``outcome``; the reasons they gave."""
    where = (
        LibraryFlag.target_kind == target[0].value,
        LibraryFlag.target_id == target[1],
        LibraryFlag.resolved_at.is_(None),
    )
    reasons = tuple(
        read_reason(stored).category
        for stored in connection.scalars(select(LibraryFlag.reason).where(*where))
    )
    if outcome is not None and reasons:
        connection.execute(
            update(LibraryFlag)
            .where(*where)
            .values(resolved_at=now, resolved_by=staff_id, outcome=outcome)
        )
    return reasons


def _notify(
    connection: Connection,
    *,
    item: ItemTarget,
    author_id: int | None,
    comment_id: int | None,
    message: str | None,
    staff_id: int,
    now: datetime,
) -> None:
    if message is None or author_id is None or author_id == staff_id:
        return
    connection.execute(
        insert(LibraryNotification).values(
            user_id=author_id,
            context_id=item.context_id,
            kind="moderation",
            actor_id=None,  # from "staff", never a person, and never the flagger
            item_id=item.id,
            comment_id=comment_id,
            message=message,
            created_at=now,
        )
    )


def decide_item(
    connection: Connection,
    *,
    viewer: Viewer,
    item: ItemTarget,
    action: StaffAction,
    note: str,
    now: datetime,
) -> ItemState:
    """Approve, hide, restore or dismiss the flags of an item; the item's new state."""
    _check_staff(viewer)
    new_state = item_transition(item.state, action)
    if new_state is not item.state:
        values: dict[str, Any] = {"state": new_state.value}
        if action is StaffAction.APPROVE:
            values["published_at"] = now
        changed = connection.execute(
            update(LibraryItem)
            .where(LibraryItem.id == item.id, LibraryItem.state == item.state.value)
            .values(**values)
        ).rowcount
        if changed != 1:
            raise TransitionRefused("Someone else decided first.", code="moderation_raced")
        if new_state is ItemState.PUBLISHED:
            announce_published(connection, item)
    reasons = _resolve_flags(
        connection,
        target=(TargetKind.ITEM, item.id),
        outcome=flag_outcome(action),
        staff_id=viewer.user_id,
        now=now,
    )
    message = author_message(
        TargetKind.ITEM, action, item_title=item.title, reasons=reasons, note=note
    )
    _notify(
        connection,
        item=item,
        author_id=item.author_id,
        comment_id=None,
        message=message,
        staff_id=viewer.user_id,
        now=now,
    )
    audit(
        connection,
        context_id=item.context_id,
        actor_id=viewer.user_id,
        action=action.value,
        target=(TargetKind.ITEM.value, item.id),
        at=now,
        details={
            "from": item.state.value,
            "to": new_state.value,
            "flags": len(reasons),
            "note": note,
            "author_told": message is not None,
        },
    )
    return new_state


def decide_comment(
    connection: Connection,
    *,
    viewer: Viewer,
    item: ItemTarget,
    comment: CommentTarget,
    action: StaffAction,
    note: str,
    now: datetime,
) -> CommentState:
    """Hide, restore or dismiss the flags of a comment. ``lib_item.comment_count``
    counts comments that are not deleted (the comments module's rule), so hiding leaves it."""
    _check_staff(viewer)
    new_state = comment_transition(comment.state, action)
    if new_state is not comment.state:
        hiding = new_state is CommentState.HIDDEN
        changed = connection.execute(
            update(LibraryComment)
            .where(
                LibraryComment.id == comment.id,
                LibraryComment.hidden_at.is_(None)
                if hiding
                else LibraryComment.hidden_at.is_not(None),
            )
            .values(hidden_at=now if hiding else None)
        ).rowcount
        if changed != 1:
            raise TransitionRefused("Someone else decided first.", code="moderation_raced")
    reasons = _resolve_flags(
        connection,
        target=(TargetKind.COMMENT, comment.id),
        outcome=flag_outcome(action),
        staff_id=viewer.user_id,
        now=now,
    )
    message = author_message(
        TargetKind.COMMENT, action, item_title=item.title, reasons=reasons, note=note
    )
    _notify(
        connection,
        item=item,
        author_id=comment.author_id,
        comment_id=comment.id,
        message=message,
        staff_id=viewer.user_id,
        now=now,
    )
    audit(
        connection,
        context_id=item.context_id,
        actor_id=viewer.user_id,
        action=action.value,
        target=(TargetKind.COMMENT.value, comment.id),
        at=now,
        details={
            "from": comment.state.value,
            "to": new_state.value,
            "flags": len(reasons),
            "note": note,
            "author_told": message is not None,
        },
    )
    return new_state


def policy_of(connection: Connection, context_id: int) -> Policy:
    """The course's publishing policy; a course that never chose publishes at once."""
    stored = connection.scalar(
        select(LibraryCourse.moderation).where(LibraryCourse.context_id == context_id)
    )
    try:
        return Policy(stored) if stored else Policy.OPEN
    except ValueError:
        return Policy.APPROVAL  # an unknown stored value errs on the side of review


def set_policy(
    connection: Connection, *, viewer: Viewer, context_id: int, policy: Policy, now: datetime
) -> bool:
    """Set the course policy (staff only); False when it already was ``policy``."""
    _check_staff(viewer)
    before = policy_of(connection, context_id)
    if before is policy:
        return False
    changed = connection.execute(
        update(LibraryCourse)
        .where(LibraryCourse.context_id == context_id)
        .values(moderation=policy.value, updated_by=viewer.user_id, updated_at=now)
    ).rowcount
    if not changed:
        connection.execute(
            insert(LibraryCourse).values(
                context_id=context_id,
                moderation=policy.value,
                updated_by=viewer.user_id,
                updated_at=now,
            )
        )
    audit(
        connection,
        context_id=context_id,
        actor_id=viewer.user_id,
        action="policy",
        target=("course", context_id),
        at=now,
        details={"from": before.value, "to": policy.value},
    )
    return True


def author_notice(connection: Connection, *, item_id: int, author_id: int) -> str | None:
    """The latest moderation message the author got about the item itself, for the
    item page to show them beside their hidden or pending item."""
    message: str | None = connection.scalar(
        select(LibraryNotification.message)
        .where(
            LibraryNotification.item_id == item_id,
            LibraryNotification.user_id == author_id,
            LibraryNotification.kind == "moderation",
            LibraryNotification.comment_id.is_(None),
        )
        .order_by(LibraryNotification.id.desc())
        .limit(1)
    )
    return message
