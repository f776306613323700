"""Topic requests: learners propose what they want to learn, peers upvote (once each),
someone volunteers, and the item that answers it is linked (the request is then
answered, the feed tells the course, the requester and voters are notified). Staff see
the demand ranked and may hide a request.

``vote_count`` is kept by the vote's own INSERT: only a row that was really inserted
counts, so a double click counts once. The proposer's own proposal is their vote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.orm import aliased

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.library.permissions import not_found
from lti_tool.domain.library.social import (
    FeedVerb,
    RequestFacts,
    RequestState,
    check_answer,
    check_request,
    check_upvote,
    check_volunteer,
    hidden_state,
    restored_state,
)
from lti_tool.library import feed, notifications
from lti_tool.library.access import CourseViewer, item_to_interact, listed_in
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.library_models import LibraryItem, TopicRequest, TopicRequestVote
from lti_tool.persistence.models import User


def _now() -> datetime:
    return datetime.now(UTC)


def propose(
    connection: Connection,
    viewer: CourseViewer,
    *,
    title: str,
    description: str = "",
    now: datetime | None = None,
) -> int:
    """A new open request in the viewer's course, with the proposer's vote."""
    now = now or _now()
    title, description = check_request(title, description)
    request_id = connection.execute(
        insert(TopicRequest)
        .values(
            context_id=viewer.context_id,
            title=title,
            description=description,
            requested_by=viewer.user_id,
            state=RequestState.OPEN.value,
            vote_count=1,
            created_at=now,
        )
        .returning(TopicRequest.id)
    ).scalar_one()
    connection.execute(
        insert(TopicRequestVote).values(
            request_id=request_id, user_id=viewer.user_id, created_at=now
        )
    )
    return int(request_id)


def _facts(
    connection: Connection, viewer: CourseViewer, request_id: int, *, lock: bool = False
) -> RequestFacts:
    """A request of the viewer's course (hidden ones exist for staff only)."""
    query = select(TopicRequest.state, TopicRequest.requested_by, TopicRequest.volunteer_id).where(
        TopicRequest.id == request_id, TopicRequest.context_id == viewer.context_id
    )
    row = connection.execute(query.with_for_update() if lock else query).one_or_none()
    if row is None or (row.state == RequestState.HIDDEN.value and not viewer.is_staff):
        raise not_found("There is no such request in this course.")
    return RequestFacts(RequestState(row.state), row.requested_by, row.volunteer_id)


def upvote(
    connection: Connection, viewer: CourseViewer, *, request_id: int, now: datetime | None = None
) -> bool:
    """Add the viewer's vote; False when they had voted already."""
    check_upvote(_facts(connection, viewer, request_id))
    inserted = connection.execute(
        dialect_insert(connection)(TopicRequestVote)
        .values(request_id=request_id, user_id=viewer.user_id, created_at=now or _now())
        .on_conflict_do_nothing(index_elements=["request_id", "user_id"])
        .returning(TopicRequestVote.id)
    ).first()
    if inserted is None:
        return False
    connection.execute(
        update(TopicRequest)
        .where(TopicRequest.id == request_id)
        .values(vote_count=TopicRequest.vote_count + 1)
    )
    return True


def volunteer(connection: Connection, viewer: CourseViewer, *, request_id: int) -> None:
    """Offer to write about an open request nobody has claimed."""
    check_volunteer(_facts(connection, viewer, request_id), viewer_id=viewer.user_id)
    claimed = connection.execute(
        update(TopicRequest)
        .where(
            TopicRequest.id == request_id,
            TopicRequest.state == RequestState.OPEN.value,
            TopicRequest.volunteer_id.is_(None),
        )
        .values(volunteer_id=viewer.user_id)
    ).rowcount
    if not claimed:  # someone was quicker: say so as the rule would
        check_volunteer(_facts(connection, viewer, request_id), viewer_id=viewer.user_id)


def answer(
    connection: Connection,
    viewer: CourseViewer,
    *,
    request_id: int,
    item_key: str,
    now: datetime | None = None,
) -> int:
    """Link the item that answers an open request; returns how many were notified."""
    now = now or _now()
    # Taken under the row's lock, so of two simultaneous answers only one lands.
    connection.execute(
        update(TopicRequest)
        .where(TopicRequest.id == request_id, TopicRequest.context_id == viewer.context_id)
        .values(state=TopicRequest.state)
    )
    facts = _facts(connection, viewer, request_id, lock=True)
    if not item_key.strip():
        raise BadRequest("Choose the item that answers this request.", code="answer_missing")
    item = item_to_interact(connection, viewer, key=item_key.strip())
    check_answer(
        facts, viewer_id=viewer.user_id, item_author_id=item.author_id, is_staff=viewer.is_staff
    )
    connection.execute(
        update(TopicRequest)
        .where(TopicRequest.id == request_id)
        .values(state=RequestState.ANSWERED.value, answered_item_id=item.id)
    )
    feed.record_event(
        connection,
        context_id=viewer.context_id,
        actor_id=viewer.user_id,
        verb=FeedVerb.ANSWERED,
        item_id=item.id,
        request_id=request_id,
        at=now,
    )
    return notifications.notify_request_answered(
        connection,
        request_id=request_id,
        context_id=viewer.context_id,
        actor_id=viewer.user_id,
        item_id=item.id,
    )


def hide(connection: Connection, viewer: CourseViewer, *, request_id: int) -> None:
    _facts(connection, viewer, request_id)  # another course's request is not found
    state = hidden_state(is_staff=viewer.is_staff)
    connection.execute(
        update(TopicRequest).where(TopicRequest.id == request_id).values(state=state.value)
    )


def restore(connection: Connection, viewer: CourseViewer, *, request_id: int) -> None:
    _facts(connection, viewer, request_id)
    answered = connection.execute(
        select(TopicRequest.answered_item_id).where(TopicRequest.id == request_id)
    ).scalar_one()
    state = restored_state(is_staff=viewer.is_staff, answered=answered is not None)
    connection.execute(
        update(TopicRequest).where(TopicRequest.id == request_id).values(state=state.value)
    )


@dataclass(frozen=True)
class RequestEntry:
    id: int
    rank: int
    title: str
    description: str
    state: str
    votes: int
    created_at: datetime
    requester_name: str
    mine: bool
    voted: bool
    volunteer_name: str | None
    volunteered: bool
    answer_key: str | None
    answer_title: str | None


def board(
    connection: Connection, viewer: CourseViewer, *, limit: int = 200
) -> tuple[RequestEntry, ...]:
    """The course's requests ranked by demand (votes, then the longest waiting): open
    and answered ones for everyone, hidden ones too for staff. The answering item shows
    only while the course may see it."""
    requester, helper = aliased(User), aliased(User)
    answer_item = aliased(LibraryItem)
    mine = aliased(TopicRequestVote)
    query = (
        select(
            TopicRequest.id,
            TopicRequest.title,
            TopicRequest.description,
            TopicRequest.state,
            TopicRequest.vote_count,
            TopicRequest.created_at,
            TopicRequest.requested_by,
            TopicRequest.volunteer_id,
            requester.display_name.label("requester_display"),
            requester.name.label("requester_name"),
            helper.display_name.label("helper_display"),
            helper.name.label("helper_name"),
            answer_item.key.label("answer_key"),
            answer_item.title.label("answer_title"),
            mine.id.label("my_vote"),
        )
        .outerjoin(requester, requester.id == TopicRequest.requested_by)
        .outerjoin(helper, helper.id == TopicRequest.volunteer_id)
        .outerjoin(
            answer_item,
            and_(
                answer_item.id == TopicRequest.answered_item_id,
                listed_in(viewer.context_id, answer_item),
            ),
        )
        .outerjoin(mine, and_(mine.request_id == TopicRequest.id, mine.user_id == viewer.user_id))
        .where(TopicRequest.context_id == viewer.context_id)
        .order_by(TopicRequest.vote_count.desc(), TopicRequest.created_at, TopicRequest.id)
        .limit(limit)
    )
    if not viewer.is_staff:
        query = query.where(TopicRequest.state != RequestState.HIDDEN.value)
    return tuple(
        RequestEntry(
            id=row.id,
            rank=rank,
            title=row.title,
            description=row.description,
            state=row.state,
            votes=row.vote_count,
            created_at=row.created_at,
            requester_name=row.requester_display or row.requester_name or "A participant",
            mine=row.requested_by == viewer.user_id,
            voted=row.my_vote is not None,
            volunteer_name=(row.helper_display or row.helper_name or "A participant")
            if row.volunteer_id is not None
            else None,
            volunteered=row.volunteer_id == viewer.user_id,
            answer_key=row.answer_key,
            answer_title=row.answer_title,
        )
        for rank, row in enumerate(connection.execute(query), start=1)
    )


@dataclass(frozen=True)
class LinkableItem:
    key: str
    title: str


def linkable_items(
    connection: Connection, viewer: CourseViewer, *, limit: int = 50
) -> tuple[LinkableItem, ...]:
    """The viewer's own items the course sees, newest first: what they may link as an
    answer (staff may also paste any item's key)."""
    rows = connection.execute(
        select(LibraryItem.key, LibraryItem.title)
        .where(LibraryItem.author_id == viewer.user_id, listed_in(viewer.context_id))
        .order_by(LibraryItem.published_at.desc(), LibraryItem.id.desc())
        .limit(limit)
    ).all()
    return tuple(LinkableItem(row.key, row.title) for row in rows)
