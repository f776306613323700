"""'This helped me' and 1-5 ratings: one ``lib_vote`` row per person per item.

The item's counters (``helpful_count``, ``rating_sum``, ``rating_count``) move by the
domain's delta between the person's vote before and after, as SQL expressions in the
same transaction. The person's row is made first and then locked, so two clicks of one
person meet on that lock (SQLite serialises writers anyway) and two people never
overwrite each other's counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from lti_tool.domain.errors import Forbidden
from lti_tool.domain.library.social import (
    FeedVerb,
    VoteState,
    may_vote,
    rating_average,
    vote_delta,
)
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library import feed
from lti_tool.library.access import CourseViewer, item_to_interact
from lti_tool.library.item_statements import record_about_item
from lti_tool.library.people import NAME_COLUMNS, name_of
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.library_models import (
    LibraryEvent,
    LibraryFollow,
    LibraryItem,
    LibraryItemTopic,
    LibraryTopic,
    LibraryVote,
)
from lti_tool.persistence.models import User
from xapi import library as statements


def _now() -> datetime:
    return datetime.now(UTC)


def toggle_helpful(
    connection: Connection,
    viewer: CourseViewer,
    *,
    item_key: str,
    recorder: Recorder | None = None,
    now: datetime | None = None,
) -> VoteState:
    """Mark the item "this helped me", or take it back. Returns the vote afterwards."""
    return _change(
        connection,
        viewer,
        item_key=item_key,
        change=lambda before: replace(before, helpful=not before.helpful),
        recorder=recorder,
        now=now,
    )


def rate(
    connection: Connection,
    viewer: CourseViewer,
    *,
    item_key: str,
    rating: int | None,
    recorder: Recorder | None = None,
    now: datetime | None = None,
) -> VoteState:
    """Rate the item 1-5 (checked by ``check_rating``), or withdraw the rating (None)."""
    return _change(
        connection,
        viewer,
        item_key=item_key,
        change=lambda before: replace(before, rating=rating),
        recorder=recorder,
        now=now,
    )


def _change(
    connection: Connection,
    viewer: CourseViewer,
    *,
    item_key: str,
    change: Callable[[VoteState], VoteState],
    recorder: Recorder | None,
    now: datetime | None,
) -> VoteState:
    now = now or _now()
    item = item_to_interact(connection, viewer, key=item_key)
    if not may_vote(viewer_id=viewer.user_id, author_id=item.author_id):
        raise Forbidden("You cannot vote on your own item.", code="own_item")
    connection.execute(
        dialect_insert(connection)(LibraryVote)
        .values(item_id=item.id, user_id=viewer.user_id, helpful=False, rating=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["item_id", "user_id"])
    )
    row = connection.execute(
        select(LibraryVote.id, LibraryVote.helpful, LibraryVote.rating)
        .where(LibraryVote.item_id == item.id, LibraryVote.user_id == viewer.user_id)
        .with_for_update()
    ).one()
    before = VoteState(helpful=bool(row.helpful), rating=row.rating)
    after = change(before)
    delta = vote_delta(before, after)
    if delta.is_zero:
        return after
    connection.execute(
        update(LibraryVote)
        .where(LibraryVote.id == row.id)
        .values(helpful=after.helpful, rating=after.rating, updated_at=now)
    )
    connection.execute(
        update(LibraryItem)
        .where(LibraryItem.id == item.id)
        .values(
            helpful_count=LibraryItem.helpful_count + delta.helpful,
            rating_sum=LibraryItem.rating_sum + delta.rating_sum,
            rating_count=LibraryItem.rating_count + delta.rating_count,
        )
    )
    if after.rating is not None and after.rating != before.rating:
        _announce_first_rating(connection, viewer, item.id, now)
    if recorder is not None:
        if after.helpful and not before.helpful:
            record_about_item(
                recorder,
                connection,
                item.id,
                viewer.user_id,
                statements.liked,
                context_id=viewer.context_id,
                at=now,
            )
        if after.rating is not None and after.rating != before.rating:
            record_about_item(
                recorder,
                connection,
                item.id,
                viewer.user_id,
                statements.rated,
                context_id=viewer.context_id,
                rating=after.rating,
                at=now,
            )
    return after


def _announce_first_rating(
    connection: Connection, viewer: CourseViewer, item_id: int, now: datetime
) -> None:
    """The feed tells of a person's first rating of an item, not of every change."""
    told = connection.execute(
        select(LibraryEvent.id).where(
            LibraryEvent.item_id == item_id,
            LibraryEvent.actor_id == viewer.user_id,
            LibraryEvent.verb == FeedVerb.RATED.value,
        )
    ).first()
    if told is None:
        feed.record_event(
            connection,
            context_id=viewer.context_id,
            actor_id=viewer.user_id,
            verb=FeedVerb.RATED,
            item_id=item_id,
            at=now,
        )


@dataclass(frozen=True)
class TopicChoice:
    id: int
    name: str
    following: bool


@dataclass(frozen=True)
class VotePanel:
    """What ``library/_vote.html`` renders: the item's counts, the viewer's own vote,
    and what of the item (its author, its topics) the viewer follows."""

    item_key: str
    helpful_count: int
    rating_average: float | None
    rating_count: int
    mine: VoteState
    can_vote: bool
    author_id: int | None
    author_name: str
    can_follow_author: bool
    following_author: bool
    topics: tuple[TopicChoice, ...]


def vote_panel(
    connection: Connection, item_id: int, viewer_id: int, *, context_id: int | None = None
) -> VotePanel:
    """The panel for ``viewer_id`` (the caller has checked the item is visible to them).
    Follows are per course: shown for the item's own course, or for ``context_id`` when
    given and the same (an item shared from elsewhere offers none)."""
    item = connection.execute(
        select(
            LibraryItem.key,
            LibraryItem.context_id,
            LibraryItem.author_id,
            LibraryItem.helpful_count,
            LibraryItem.rating_sum,
            LibraryItem.rating_count,
            *NAME_COLUMNS,
        )
        .outerjoin(User, User.id == LibraryItem.author_id)
        .where(LibraryItem.id == item_id)
    ).one()
    mine = connection.execute(
        select(LibraryVote.helpful, LibraryVote.rating).where(
            LibraryVote.item_id == item_id, LibraryVote.user_id == viewer_id
        )
    ).one_or_none()
    home = context_id is None or context_id == item.context_id
    followed = (
        {
            (kind, target)
            for kind, target in connection.execute(
                select(LibraryFollow.target_kind, LibraryFollow.target_id).where(
                    LibraryFollow.context_id == item.context_id,
                    LibraryFollow.user_id == viewer_id,
                )
            )
        }
        if home
        else set()
    )
    topics = connection.execute(
        select(LibraryTopic.id, LibraryTopic.name)
        .join(LibraryItemTopic, LibraryItemTopic.topic_id == LibraryTopic.id)
        .where(LibraryItemTopic.item_id == item_id)
        .order_by(LibraryTopic.name)
    ).all()
    return VotePanel(
        item_key=item.key,
        helpful_count=item.helpful_count,
        rating_average=rating_average(item.rating_sum, item.rating_count),
        rating_count=item.rating_count,
        mine=VoteState(bool(mine.helpful), mine.rating) if mine else VoteState(),
        can_vote=may_vote(viewer_id=viewer_id, author_id=item.author_id),
        author_id=item.author_id,
        author_name=name_of(item),
        can_follow_author=home and item.author_id not in (None, viewer_id),
        following_author=("author", item.author_id) in followed,
        topics=tuple(
            TopicChoice(topic.id, topic.name, ("topic", topic.id) in followed) for topic in topics
        )
        if home
        else (),
    )
