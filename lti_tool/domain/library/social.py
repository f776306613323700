"""Social learning rules of the course library: threads, votes, who hears of what, and
topic requests. Pure functions; the operations in ``lti_tool.library`` apply them.

Threads are two levels deep, as in most course forums: a comment on an item, and replies
under it. Replying to a reply attaches the new reply to the same thread root (so a
thread never drifts right off a phone screen) while the person replied to is still the
one notified.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from lti_tool.domain.errors import BadRequest, Forbidden, PeerlearnError
from lti_tool.domain.text import block, one_line

MAX_COMMENT_CHARS = 5_000
RATING_MIN = 1
RATING_MAX = 5
MAX_REQUEST_TITLE_CHARS = 200
MAX_REQUEST_DESCRIPTION_CHARS = 2_000


class SocialRefused(PeerlearnError):
    """A social act that the item's or the request's state does not allow."""

    code = "social_refused"
    status = 409
    title = "That cannot be done now"
    advice = "Reload the page: someone may have changed it in the meantime."


# --- comments -------------------------------------------------------------------------


def check_comment(markdown: str) -> str:
    """The comment's Markdown, trimmed and without control characters; refused when
    empty or longer than the limit."""
    text = block(markdown)
    if not text:
        raise BadRequest("Write something before sending.", code="comment_empty")
    if len(text) > MAX_COMMENT_CHARS:
        raise BadRequest(
            f"A comment can have at most {MAX_COMMENT_CHARS:,} characters.",
            code="comment_too_long",
        )
    return text


@dataclass(frozen=True)
class CommentRef:
    """The comment a reply answers, as stored."""

    id: int
    parent_id: int | None
    author_id: int | None


@dataclass(frozen=True)
class ReplyPlacement:
    """Where a reply goes (``parent_id``) and whose comment it answers (to notify)."""

    parent_id: int
    answers_author_id: int | None


def place_reply(replied_to: CommentRef) -> ReplyPlacement:
    """Replies hang under the thread root: a reply to a reply joins the same thread."""
    root = replied_to.parent_id if replied_to.parent_id is not None else replied_to.id
    return ReplyPlacement(parent_id=root, answers_author_id=replied_to.author_id)


def may_change_comment(*, viewer_id: int, author_id: int | None) -> bool:
    """Only the author edits or deletes their comment (staff hide it: moderation)."""
    return author_id is not None and viewer_id == author_id


# --- votes ----------------------------------------------------------------------------


def check_rating(raw: str | int | None) -> int | None:
    """A rating from 1 to 5, or None to withdraw one."""
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest("Rate from 1 to 5 stars.", code="rating_range") from None
    if not RATING_MIN <= value <= RATING_MAX:
        raise BadRequest("Rate from 1 to 5 stars.", code="rating_range")
    return value


@dataclass(frozen=True)
class VoteState:
    """One person's vote on one item: "this helped me" and an optional rating."""

    helpful: bool = False
    rating: int | None = None


@dataclass(frozen=True)
class CounterDelta:
    """How an item's counters move when one person's vote changes."""

    helpful: int
    rating_sum: int
    rating_count: int

    @property
    def is_zero(self) -> bool:
        return self == CounterDelta(0, 0, 0)


def vote_delta(before: VoteState, after: VoteState) -> CounterDelta:
    """The counter change from ``before`` to ``after`` (both of the same person)."""
    return CounterDelta(
        helpful=int(after.helpful) - int(before.helpful),
        rating_sum=(after.rating or 0) - (before.rating or 0),
        rating_count=int(after.rating is not None) - int(before.rating is not None),
    )


def may_vote(*, viewer_id: int, author_id: int | None) -> bool:
    """Peers vote; an author does not mark their own item helpful or rate it."""
    return author_id is None or viewer_id != author_id


def rating_average(rating_sum: int, rating_count: int) -> float | None:
    return round(rating_sum / rating_count, 1) if rating_count else None


# --- notifications --------------------------------------------------------------------


class NotificationKind(enum.StrEnum):
    REPLY = "reply"
    COMMENT = "comment"
    NEW_ITEM = "new_item"
    REQUEST_ANSWERED = "request_answered"
    MODERATION = "moderation"


def _others(actor_id: int | None, people: Iterable[int | None]) -> frozenset[int]:
    return frozenset(person for person in people if person is not None and person != actor_id)


def comment_recipients(*, actor_id: int, item_author_id: int | None) -> frozenset[int]:
    """A top-level comment tells the item's author (never the commenter themself)."""
    return _others(actor_id, [item_author_id])


def reply_recipients(*, actor_id: int, answered_author_id: int | None) -> frozenset[int]:
    """A reply tells the author of the comment it answers."""
    return _others(actor_id, [answered_author_id])


def new_item_recipients(
    *,
    author_id: int | None,
    topic_followers: Iterable[int],
    author_followers: Iterable[int],
) -> frozenset[int]:
    """Followers of any of the item's topics or of its author, once each, never the
    author. ``notify_new_item`` computes the same set in one INSERT ... SELECT."""
    return _others(author_id, [*topic_followers, *author_followers])


def answered_recipients(
    *, actor_id: int, requester_id: int | None, voter_ids: Iterable[int]
) -> frozenset[int]:
    """An answered request tells who asked and everyone who upvoted it, once each."""
    return _others(actor_id, [requester_id, *voter_ids])


# --- the activity feed ---------------------------------------------------------------


class FeedVerb(enum.StrEnum):
    """What the course feed tells: an item published, a comment (or reply) on one, a
    first rating of one, a topic request answered by one."""

    PUBLISHED = "published"
    COMMENTED = "commented"
    RATED = "rated"
    ANSWERED = "answered"


FEED_PAGE_SIZE = 30


# --- topic requests -------------------------------------------------------------------


class RequestState(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    HIDDEN = "hidden"


def check_request(title: str, description: str) -> tuple[str, str]:
    """A proposal's title (required) and description, trimmed and within limits."""
    title = one_line(title)
    description = block(description)
    if not title:
        raise BadRequest("Say which topic you would like to learn about.", code="request_empty")
    if len(title) > MAX_REQUEST_TITLE_CHARS:
        raise BadRequest(
            f"A topic can have at most {MAX_REQUEST_TITLE_CHARS} characters.",
            code="request_too_long",
        )
    if len(description) > MAX_REQUEST_DESCRIPTION_CHARS:
        raise BadRequest(
            f"A description can have at most {MAX_REQUEST_DESCRIPTION_CHARS:,} characters.",
            code="request_too_long",
        )
    return title, description


@dataclass(frozen=True)
class RequestFacts:
    state: RequestState
    requested_by: int | None
    volunteer_id: int | None


def check_upvote(request: RequestFacts) -> None:
    """Open requests take votes (each person once: the operation keeps to that)."""
    if request.state is not RequestState.OPEN:
        raise SocialRefused("Only open requests take votes.", code="request_closed")


def check_volunteer(request: RequestFacts, *, viewer_id: int) -> None:
    """Anyone may offer to write about an open request nobody has claimed yet."""
    if request.state is not RequestState.OPEN:
        raise SocialRefused("This request is no longer open.", code="request_closed")
    if request.volunteer_id is not None and request.volunteer_id != viewer_id:
        raise SocialRefused("Someone already volunteered for this.", code="request_claimed")


def check_answer(
    request: RequestFacts, *, viewer_id: int, item_author_id: int | None, is_staff: bool = False
) -> None:
    """An open request is answered by linking an item: its author links it (the
    volunteer, or anyone who wrote about it anyway), or staff do."""
    if request.state is not RequestState.OPEN:
        raise SocialRefused("This request is no longer open.", code="request_closed")
    if not is_staff and item_author_id != viewer_id:
        raise Forbidden("Link an item you wrote.", code="not_your_item")


def hidden_state(*, is_staff: bool) -> RequestState:
    """Staff hide a request (spam, off topic); it keeps its votes and answer."""
    if not is_staff:
        raise Forbidden("Only teaching staff can hide requests.", code="staff_only")
    return RequestState.HIDDEN


def restored_state(*, is_staff: bool, answered: bool) -> RequestState:
    """Staff bring a hidden request back to where it was."""
    if not is_staff:
        raise Forbidden("Only teaching staff can restore requests.", code="staff_only")
    return RequestState.ANSWERED if answered else RequestState.OPEN


@dataclass(frozen=True)
class RankedRequest:
    id: int
    votes: int
    created_at: datetime


def demand_order(request: RankedRequest) -> tuple[int, datetime, int]:
    """Sort key of demand: most votes first, then the longest waiting, then by id."""
    return (-request.votes, request.created_at, request.id)


Ranked = TypeVar("Ranked", bound=RankedRequest)


def rank_requests(requests: Iterable[Ranked]) -> list[Ranked]:
    return sorted(requests, key=demand_order)
