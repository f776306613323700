"""The social acts on a course's library: comments, "this helped me" and ratings,
follows, and topic requests. One function per act, each in its own transaction; the
rules and rows are those of :mod:`comments`, :mod:`votes`, :mod:`follows` and
:mod:`requests`. None knows of Flask."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.library.social import check_rating
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library import comments, follows, votes
from lti_tool.library import requests as topic_requests
from lti_tool.library.access import CourseViewer


def comment(
    engine: Engine,
    viewer: CourseViewer,
    *,
    item_key: str,
    markdown: str,
    reply_to: int | None,
    recorder: Recorder,
) -> int:
    """Comment on the item (or reply to one of its comments); returns the comment's id."""
    with engine.begin() as connection:
        return comments.add_comment(
            connection,
            viewer,
            item_key=item_key,
            markdown=markdown,
            reply_to=reply_to,
            recorder=recorder,
        )


def edit_comment(engine: Engine, viewer: CourseViewer, comment_id: int, markdown: str) -> str:
    """Change one's own comment; returns its item's key."""
    with engine.begin() as connection:
        return comments.edit_comment(connection, viewer, comment_id=comment_id, markdown=markdown)


def delete_comment(engine: Engine, viewer: CourseViewer, comment_id: int) -> str:
    """Delete one's own comment; returns its item's key."""
    with engine.begin() as connection:
        return comments.delete_comment(connection, viewer, comment_id=comment_id)


def toggle_helpful(engine: Engine, viewer: CourseViewer, item_key: str, recorder: Recorder) -> None:
    with engine.begin() as connection:
        votes.toggle_helpful(connection, viewer, item_key=item_key, recorder=recorder)


def rate(
    engine: Engine, viewer: CourseViewer, item_key: str, rating: str, recorder: Recorder
) -> None:
    """Rate the item 1 to 5 (empty withdraws the rating; anything else is 400)."""
    stars = check_rating(rating)
    with engine.begin() as connection:
        votes.rate(connection, viewer, item_key=item_key, rating=stars, recorder=recorder)


def follow(
    engine: Engine, viewer: CourseViewer, *, kind: str, target_id: int | None, unfollow: bool
) -> None:
    """Follow (or stop following) a topic or an author of the course."""
    if target_id is None:
        raise BadRequest("Say what to follow.", code="follow_target")
    with engine.begin() as connection:
        if unfollow:
            follows.unfollow(connection, viewer, kind=kind, target_id=target_id)
        else:
            follows.follow(connection, viewer, kind=kind, target_id=target_id)


# -- Topic requests ------------------------------------------------------------------


@dataclass(frozen=True)
class RequestBoard:
    entries: tuple[topic_requests.RequestEntry, ...]
    linkable: tuple[topic_requests.LinkableItem, ...]


def request_board(engine: Engine, viewer: CourseViewer) -> RequestBoard:
    """The course's topic requests by demand, and the items that may answer one."""
    with engine.connect() as connection:
        return RequestBoard(
            topic_requests.board(connection, viewer),
            topic_requests.linkable_items(connection, viewer),
        )


def propose(engine: Engine, viewer: CourseViewer, *, title: str, description: str) -> int:
    with engine.begin() as connection:
        return topic_requests.propose(connection, viewer, title=title, description=description)


def upvote(engine: Engine, viewer: CourseViewer, request_id: int) -> None:
    with engine.begin() as connection:
        topic_requests.upvote(connection, viewer, request_id=request_id)


def volunteer(engine: Engine, viewer: CourseViewer, request_id: int) -> None:
    with engine.begin() as connection:
        topic_requests.volunteer(connection, viewer, request_id=request_id)


def answer(engine: Engine, viewer: CourseViewer, request_id: int, item_key: str) -> None:
    """Link the item that answers the request."""
    with engine.begin() as connection:
        topic_requests.answer(connection, viewer, request_id=request_id, item_key=item_key)


def hide_request(engine: Engine, viewer: CourseViewer, request_id: int) -> None:
    with engine.begin() as connection:
        topic_requests.hide(connection, viewer, request_id=request_id)


def restore_request(engine: Engine, viewer: CourseViewer, request_id: int) -> None:
    with engine.begin() as connection:
        topic_requests.restore(connection, viewer, request_id=request_id)
