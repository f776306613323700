"""Moderation rules of the course library, as plain Python.

Staff move items and comments between a few states; anyone in the course who can see
something may flag it once (not their own work); the author is told each outcome in
words that never name who flagged. Everything here is a pure function of its arguments,
so the operations in ``lti_tool.library.moderation`` and the views only load rows and
apply these rules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lti_tool.domain.errors import BadRequest, Forbidden, NotFound, PeerlearnError
from lti_tool.domain.library.permissions import CourseRelation, ItemState, not_found
from lti_tool.domain.text import one_line

MAX_FLAG_DETAILS = 500
MAX_STAFF_NOTE = 500
MAX_QUOTED_TITLE = 80


class CommentState(enum.StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"


class TargetKind(enum.StrEnum):
    ITEM = "item"
    COMMENT = "comment"


class StaffAction(enum.StrEnum):
    """What staff may do to a flagged or pending target; values are lib_audit actions."""

    APPROVE = "approved"
    HIDE = "hidden"
    RESTORE = "restored"
    DISMISS = "dismissed"  # close the open flags, change nothing else


class Policy(enum.StrEnum):
    """A course's publishing policy (lib_course.moderation)."""

    OPEN = "open"  # published at once
    APPROVAL = "approval"  # staff approve first

    @property
    def label(self) -> str:
        return {
            Policy.OPEN: "Publish at once",
            Policy.APPROVAL: "Staff approve every item first",
        }[self]


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    HARASSMENT = "harassment"
    MISINFORMATION = "misinformation"
    COPYRIGHT = "copyright"
    PRIVACY = "privacy"
    OFF_TOPIC = "off_topic"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    FlagReason.SPAM: "Spam or advertising",
    FlagReason.OFFENSIVE: "Offensive or inappropriate",
    FlagReason.HARASSMENT: "Harassment or bullying",
    FlagReason.MISINFORMATION: "Wrong or misleading",
    FlagReason.COPYRIGHT: "Copyright infringement",
    FlagReason.PRIVACY: "Shares someone's private information",
    FlagReason.OFF_TOPIC: "Off topic for this course",
    FlagReason.OTHER: "Something else",
}


class TransitionRefused(PeerlearnError):
    code = "moderation_transition"
    status = 409
    title = "That cannot be done to this in its current state"
    advice = "Reload the moderation queue: someone may have decided already."


# (state, action) -> new state. Hiding a pending item is how staff decline it; a
# restored item is published (restore never returns anything to "pending").
_ITEM_TRANSITIONS = {
    (ItemState.PENDING, StaffAction.APPROVE): ItemState.PUBLISHED,
    (ItemState.PENDING, StaffAction.HIDE): ItemState.HIDDEN,
    (ItemState.PUBLISHED, StaffAction.HIDE): ItemState.HIDDEN,
    (ItemState.HIDDEN, StaffAction.RESTORE): ItemState.PUBLISHED,
}
_COMMENT_TRANSITIONS = {
    (CommentState.VISIBLE, StaffAction.HIDE): CommentState.HIDDEN,
    (CommentState.HIDDEN, StaffAction.RESTORE): CommentState.VISIBLE,
}


def item_transition(state: ItemState, action: StaffAction) -> ItemState:
    """The item's state after ``action``; dismissing flags leaves it as it is."""
    if action is StaffAction.DISMISS:
        return state
    found = _ITEM_TRANSITIONS.get((state, action))
    if found is None:
        raise TransitionRefused(
            f"An item that is {state.value} cannot be {action.value}.",
            code=f"item_{state.value}_not_{action.value}",
        )
    return found


def comment_transition(state: CommentState, action: StaffAction) -> CommentState:
    """The comment's state after ``action``; comments are never "approved"."""
    if action is StaffAction.DISMISS:
        return state
    found = _COMMENT_TRANSITIONS.get((state, action))
    if found is None:
        raise TransitionRefused(
            f"A comment that is {state.value} cannot be {action.value}.",
            code=f"comment_{state.value}_not_{action.value}",
        )
    return found


def actions_for_item(state: ItemState) -> tuple[StaffAction, ...]:
    """The buttons staff see for an item in ``state`` (dismiss is offered with flags)."""
    return tuple(action for (start, action) in _ITEM_TRANSITIONS if start is state)


def actions_for_comment(state: CommentState) -> tuple[StaffAction, ...]:
    return tuple(action for (start, action) in _COMMENT_TRANSITIONS if start is state)


def flag_outcome(action: StaffAction) -> str | None:
    """The ``lib_flag.outcome`` a decision gives the target's open flags, or None when
    the decision leaves them open (approving a pending item nobody could flag yet)."""
    return {
        StaffAction.HIDE: "hidden",
        StaffAction.DISMISS: "dismissed",
        StaffAction.RESTORE: "dismissed",
    }.get(action)


@dataclass(frozen=True)
class Reason:
    """Why someone flagged: a category from the fixed list and optional words."""

    category: FlagReason
    details: str = ""

    @property
    def text(self) -> str:
        """What ``lib_flag.reason`` stores: the category's value, then the details."""
        return f"{self.category.value}: {self.details}" if self.details else self.category.value


def parse_reason(category: str, details: str) -> Reason:
    """A flag reason from a form; "other" needs words, every reason at most 500 chars."""
    try:
        chosen = FlagReason(category.strip())
    except ValueError:
        raise BadRequest(
            "Choose one of the listed reasons for flagging.", code="flag_reason_unknown"
        ) from None
    cleaned = one_line(details)
    if len(cleaned) > MAX_FLAG_DETAILS:
        raise BadRequest(
            f"Say why in at most {MAX_FLAG_DETAILS} characters.", code="flag_details_too_long"
        )
    if chosen is FlagReason.OTHER and not cleaned:
        raise BadRequest(
            "Say in a few words what is wrong when you choose “Something else”.",
            code="flag_details_missing",
        )
    return Reason(chosen, cleaned)


def read_reason(stored: str) -> Reason:
    """A stored ``lib_flag.reason`` back as a :class:`Reason` (unknown categories, from
    older rows, read as "other" with the whole text as details)."""
    category, _sep, details = stored.partition(": ")
    try:
        return Reason(FlagReason(category), details)
    except ValueError:
        return Reason(FlagReason.OTHER, stored)


def parse_staff_note(note: str) -> str:
    cleaned = one_line(note)
    if len(cleaned) > MAX_STAFF_NOTE:
        raise BadRequest(
            f"A note to the author can have at most {MAX_STAFF_NOTE} characters.",
            code="staff_note_too_long",
        )
    return cleaned


@dataclass(frozen=True)
class Viewer:
    """A person and how their course relates to the item at hand (who may see the item
    at all is :func:`lti_tool.domain.library.permissions.allowed`)."""

    user_id: int
    is_staff: bool
    relation: CourseRelation


def may_see_comment(viewer: Viewer, *, author_id: int | None, hidden: bool, deleted: bool) -> bool:
    """A comment on an item the viewer sees: a hidden one only by its author and the
    staff of the item's own course; a deleted one by nobody."""
    if deleted:
        return False
    if not hidden:
        return True
    own = author_id is not None and author_id == viewer.user_id
    return own or (viewer.is_staff and viewer.relation is CourseRelation.SAME)


def may_moderate(viewer: Viewer) -> bool:
    """Only staff of the item's own course decide flags, approve, hide and restore."""
    return viewer.is_staff and viewer.relation is CourseRelation.SAME


def check_may_flag(
    viewer: Viewer,
    *,
    author_id: int | None,
    visible: bool,
    published: bool,
    already_flagged: bool,
) -> None:
    """Anyone in a course that can see the target may flag it, once while their flag is
    open, and never their own work; only published items (and comments on them) are
    flagged: staff decide pending and hidden ones directly. Raises what the person is
    told otherwise."""
    if not visible:
        raise not_found("There is no such item or comment here.")
    if not published:
        raise Forbidden(
            "Only published items and their comments can be flagged.", code="flag_not_published"
        )
    if author_id is not None and author_id == viewer.user_id:
        raise Forbidden("You cannot flag your own work.", code="flag_own")
    if already_flagged:
        raise FlagAlreadyOpen(
            "You have already flagged this; staff will look at it.", code="flag_already_open"
        )


class FlagAlreadyOpen(PeerlearnError):
    code = "flag_already_open"
    status = 409
    title = "Already flagged"
    advice = "Staff will look at it. You do not need to flag it again."


def _quoted(title: str) -> str:
    short = " ".join(title.split())
    if len(short) > MAX_QUOTED_TITLE:
        short = short[: MAX_QUOTED_TITLE - 1].rstrip() + "…"
    return f"“{short}”"


def author_message(
    target: TargetKind,
    action: StaffAction,
    *,
    item_title: str,
    reasons: tuple[FlagReason, ...] = (),
    note: str = "",
) -> str | None:
    """What the author is told about a decision, or None when they are told nothing
    (a dismissed flag: the author was never accused of anything). Only reason
    categories are quoted, never a flagger's name or their own words."""
    if action is StaffAction.DISMISS:
        return None
    quoted = _quoted(item_title)
    what = f"Your item {quoted}" if target is TargetKind.ITEM else f"Your comment on {quoted}"
    sentence = {
        StaffAction.APPROVE: f"{what} was approved by staff and is now published.",
        StaffAction.HIDE: (
            f"{what} was hidden by staff. Others in the course no longer see it; "
            "you and staff still do."
        ),
        StaffAction.RESTORE: f"{what} was restored by staff and is visible again.",
    }[action]
    parts = [sentence]
    if action is StaffAction.HIDE and reasons:
        labels = sorted({reason.label for reason in reasons})
        parts.append("It was reported as: " + "; ".join(labels) + ".")
    if note:
        parts.append(f"Staff note: {note}")
    return " ".join(parts)


def check_may_share(
    viewer: Viewer,
    *,
    state: ItemState,
    same_deployment: bool,
    staff_in_target: bool,
    target_is_home: bool,
) -> None:
    """Staff of the item's own course share a published item to another course of the
    same LMS deployment in which they are staff too. The other course may read, comment
    and vote; only the home course's staff and the author edit or moderate it."""
    if not may_moderate(viewer):
        raise Forbidden("Only staff of the item's own course can share it.", code="staff_only")
    if state is not ItemState.PUBLISHED:
        raise TransitionRefused("Only a published item can be shared.", code="share_not_published")
    if target_is_home:
        raise BadRequest("The item already belongs to that course.", code="share_home_course")
    if not same_deployment or not staff_in_target:
        # One answer for both: staff learn nothing about courses they do not teach.
        raise NotFound(
            "You can share only to other courses of this LMS in which you are staff.",
            code="share_target_unknown",
        )
