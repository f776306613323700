"""The staff moderation queue of one course: open flags grouped by what they flag, with
how many and which reasons, and the items awaiting approval. Flaggers are not listed:
staff judge the content, not who reported it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from lti_tool.domain.library.moderation import (
    CommentState,
    StaffAction,
    TargetKind,
    actions_for_comment,
    actions_for_item,
    read_reason,
)
from lti_tool.domain.library.permissions import ItemState
from lti_tool.library.access import ItemTarget
from lti_tool.library.people import names_of
from lti_tool.persistence.library_models import (
    LibraryAudit,
    LibraryComment,
    LibraryFlag,
    LibraryItem,
)


@dataclass(frozen=True)
class FlaggedTarget:
    kind: TargetKind
    target_id: int
    item_key: str
    item_title: str
    state: str  # the item's state, or the comment's "visible" / "hidden"
    comment_html: str | None
    author_name: str
    flag_count: int
    reasons: tuple[tuple[str, int], ...]  # (reason label, how many flags gave it)
    details: tuple[str, ...]  # the flaggers' own words, without their names
    first_flagged_at: datetime
    actions: tuple[StaffAction, ...]


@dataclass(frozen=True)
class PendingItem:
    key: str
    title: str
    summary: str
    author_name: str
    updated_at: datetime


@dataclass(frozen=True)
class ModerationQueue:
    flagged: tuple[FlaggedTarget, ...]
    pending: tuple[PendingItem, ...]

    @property
    def empty(self) -> bool:
        return not self.flagged and not self.pending


def course_queue(connection: Connection, context_id: int) -> ModerationQueue:
    """Everything awaiting a staff decision in the course, oldest first."""
    grouped: dict[tuple[str, int], list[tuple[str, datetime]]] = defaultdict(list)
    for row in connection.execute(
        select(
            LibraryFlag.target_kind,
            LibraryFlag.target_id,
            LibraryFlag.reason,
            LibraryFlag.created_at,
        )
        .where(LibraryFlag.context_id == context_id, LibraryFlag.resolved_at.is_(None))
        .order_by(LibraryFlag.created_at, LibraryFlag.id)
    ):
        grouped[row.target_kind, row.target_id].append((row.reason, row.created_at))
    comment_ids = [target for kind, target in grouped if kind == TargetKind.COMMENT.value]
    comments = {
        row.id: row
        for row in connection.execute(
            select(
                LibraryComment.id,
                LibraryComment.item_id,
                LibraryComment.author_id,
                LibraryComment.body_html,
                LibraryComment.hidden_at,
                LibraryComment.deleted_at,
            ).where(LibraryComment.id.in_(comment_ids))
        )
    }
    item_ids = {target for kind, target in grouped if kind == TargetKind.ITEM.value}
    item_ids |= {row.item_id for row in comments.values()}
    items = {
        row.id: row
        for row in connection.execute(
            select(
                LibraryItem.id,
                LibraryItem.key,
                LibraryItem.title,
                LibraryItem.summary,
                LibraryItem.state,
                LibraryItem.author_id,
                LibraryItem.updated_at,
                LibraryItem.deleted_at,
            ).where(
                (LibraryItem.id.in_(item_ids))
                | (
                    (LibraryItem.context_id == context_id)
                    & (LibraryItem.state == ItemState.PENDING.value)
                    & LibraryItem.deleted_at.is_(None)
                )
            )
        )
    }
    names = names_of(
        connection,
        {row.author_id for row in [*items.values(), *comments.values()] if row.author_id},
    )
    flagged = []
    for (kind, target_id), flags in grouped.items():
        comment = comments.get(target_id) if kind == TargetKind.COMMENT.value else None
        item = items.get(comment.item_id if comment else target_id)
        if item is None or item.deleted_at is not None:
            continue  # deleted since: nothing left to decide
        if comment is not None and comment.deleted_at is not None:
            continue
        author = comment.author_id if comment else item.author_id
        if comment is not None:
            state = CommentState.HIDDEN if comment.hidden_at else CommentState.VISIBLE
            actions = (*actions_for_comment(state), StaffAction.DISMISS)
            shown_state = state.value
        else:
            actions = (*actions_for_item(ItemState(item.state)), StaffAction.DISMISS)
            shown_state = item.state
        stored = [reason for reason, _at in flags]
        flagged.append(
            FlaggedTarget(
                kind=TargetKind(kind),
                target_id=target_id,
                item_key=item.key,
                item_title=item.title,
                state=shown_state,
                comment_html=comment.body_html if comment else None,
                author_name=names.get(author, "Someone no longer here") if author else "—",
                flag_count=len(flags),
                reasons=tuple(reason_counts(stored)),
                details=tuple(d for d in (read_reason(s).details for s in stored) if d),
                first_flagged_at=flags[0][1],
                actions=actions,
            )
        )
    pending = [
        PendingItem(
            key=row.key,
            title=row.title,
            summary=row.summary,
            author_name=names.get(row.author_id, "—") if row.author_id else "—",
            updated_at=row.updated_at,
        )
        for row in sorted(items.values(), key=lambda found: (found.updated_at, found.id))
        if row.state == ItemState.PENDING.value
        and row.deleted_at is None
        and row.id not in {t.target_id for t in flagged if t.kind is TargetKind.ITEM}
    ]
    return ModerationQueue(flagged=tuple(flagged), pending=tuple(pending))


def open_flags_on(
    connection: Connection, kind: TargetKind, target_ids: list[int]
) -> dict[int, list[tuple[str, int]]]:
    """Per target, the reason labels and counts of its open flags (the review page)."""
    found: dict[int, list[str]] = defaultdict(list)
    if target_ids:
        for target_id, reason in connection.execute(
            select(LibraryFlag.target_id, LibraryFlag.reason).where(
                LibraryFlag.target_kind == kind.value,
                LibraryFlag.target_id.in_(target_ids),
                LibraryFlag.resolved_at.is_(None),
            )
        ):
            found[target_id].append(reason)
    return {target_id: reason_counts(found.get(target_id, [])) for target_id in target_ids}


def reason_counts(reasons: list[str]) -> list[tuple[str, int]]:
    """Labels of the stored reasons with how many flags gave each, most first."""
    counted = Counter(read_reason(stored).category.label for stored in reasons)
    return sorted(counted.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_id: int | None
    action: str
    target_kind: str
    target_id: int
    details: dict[str, Any]


def recent_audit(connection: Connection, context_id: int, limit: int = 50) -> list[AuditEntry]:
    return [
        AuditEntry(row.at, row.actor_id, row.action, row.target_kind, row.target_id, row.details)
        for row in connection.execute(
            select(LibraryAudit)
            .where(LibraryAudit.context_id == context_id)
            .order_by(LibraryAudit.id.desc())
            .limit(limit)
        )
    ]


@dataclass(frozen=True)
class ReviewedComment:
    id: int
    body_html: str  # as stored (sanitised); pages sanitise again when they show it
    hidden: bool
    author_name: str
    created_at: datetime
    flags: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ItemReview:
    """What staff see on an item's review page besides the item itself."""

    author_name: str
    flags: tuple[tuple[str, int], ...]
    comments: tuple[ReviewedComment, ...]


def item_review(connection: Connection, item: ItemTarget) -> ItemReview:
    """The item's open flags and its comments (hidden ones marked) with theirs."""
    rows = connection.execute(
        select(
            LibraryComment.id,
            LibraryComment.author_id,
            LibraryComment.body_html,
            LibraryComment.hidden_at,
            LibraryComment.created_at,
        )
        .where(LibraryComment.item_id == item.id, LibraryComment.deleted_at.is_(None))
        .order_by(LibraryComment.created_at, LibraryComment.id)
    ).all()
    comment_flags = open_flags_on(connection, TargetKind.COMMENT, [row.id for row in rows])
    names = names_of(
        connection, {who for who in [item.author_id, *(row.author_id for row in rows)] if who}
    )
    return ItemReview(
        author_name=names.get(item.author_id, "—") if item.author_id else "—",
        flags=tuple(open_flags_on(connection, TargetKind.ITEM, [item.id])[item.id]),
        comments=tuple(
            ReviewedComment(
                id=row.id,
                body_html=row.body_html,
                hidden=row.hidden_at is not None,
                author_name=names.get(row.author_id, "—") if row.author_id else "—",
                created_at=row.created_at,
                flags=tuple(comment_flags[row.id]),
            )
            for row in rows
        ),
    )
