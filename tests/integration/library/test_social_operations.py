"""Comments, votes, follows and topic requests on SQLite and PostgreSQL: counters stay
exact (also under concurrent votes), notifications go to the people the rules name, and
nothing can be done to items a course may not see."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import Engine, func, select, update

from lti_tool.domain.errors import BadRequest, Forbidden, NotFound
from lti_tool.domain.library.social import SocialRefused, VoteState
from lti_tool.library import comments, feed, follows, notifications, requests, votes
from lti_tool.persistence.library_models import (
    LibraryComment,
    LibraryItem,
    LibraryNotification,
    LibraryVote,
    TopicRequest,
)
from tests.factories.library import CAMPUS_NOW as NOW
from tests.factories.library import Campus


def counters(campus: Campus, item_id: int) -> tuple[int, int, int, int]:
    row = campus.connection.execute(
        select(
            LibraryItem.helpful_count,
            LibraryItem.rating_sum,
            LibraryItem.rating_count,
            LibraryItem.comment_count,
        ).where(LibraryItem.id == item_id)
    ).one()
    return tuple(row)  # type: ignore[return-value]


def recount(campus: Campus, item_id: int) -> tuple[int, int, int, int]:
    votes_ = campus.connection.execute(
        select(LibraryVote.helpful, LibraryVote.rating).where(LibraryVote.item_id == item_id)
    ).all()
    live = campus.connection.scalar(
        select(func.count()).where(
            LibraryComment.item_id == item_id, LibraryComment.deleted_at.is_(None)
        )
    )
    return (
        sum(bool(h) for h, _ in votes_),
        sum(r or 0 for _, r in votes_),
        sum(r is not None for _, r in votes_),
        int(live or 0),
    )


def notices(campus: Campus, who: str) -> list[str]:
    return [
        notice.kind
        for notice in notifications.inbox(
            campus.connection, user_id=campus.person(who), context_id=campus.course
        ).notices
    ]


def test_comments_and_replies_thread_count_and_notify(campus: Campus) -> None:
    item = campus.item("ada")
    bob, eve = campus.viewer("bob"), campus.viewer("eve")
    first = comments.add_comment(
        campus.connection, bob, item_key=item.key, markdown="**Great** <script>x()</script>"
    )
    reply = comments.add_comment(
        campus.connection, eve, item_key=item.key, markdown="Agreed", reply_to=first
    )
    deeper = comments.add_comment(
        campus.connection,
        campus.viewer("ada"),
        item_key=item.key,
        markdown="Thanks",
        reply_to=reply,
    )
    own = comments.add_comment(
        campus.connection, campus.viewer("ada"), item_key=item.key, markdown="PS"
    )
    thread = comments.thread_for(campus.connection, item.id, bob)
    assert thread.count == 4 == counters(campus, item.id)[3]
    [root, second] = thread.roots
    assert root.id == first
    assert root.mine
    assert "<strong>Great</strong>" in (root.body_html or "")
    assert "<script" not in (root.body_html or "")
    # A reply to a reply joins the thread root, and answers the replier.
    assert [r.id for r in root.replies] == [reply, deeper]
    assert second.id == own
    assert not second.mine
    assert notices(campus, "ada") == ["comment"]  # Bob's comment; not her own PS
    assert notices(campus, "bob") == ["reply"]  # Eve replied to him
    assert notices(campus, "eve") == ["reply"]  # Ada replied to Eve's reply
    assert [
        e.verb for e in feed.feed_page(campus.connection, context_id=campus.course).entries
    ] == ["commented"] * 4

    # Edit and delete own only; deleting keeps the replies under a placeholder.
    with pytest.raises(Forbidden):
        comments.edit_comment(campus.connection, eve, comment_id=first, markdown="mine now")
    comments.edit_comment(campus.connection, bob, comment_id=first, markdown="_Good_")
    with pytest.raises(Forbidden):
        comments.delete_comment(campus.connection, eve, comment_id=first)
    comments.delete_comment(campus.connection, bob, comment_id=first)
    with pytest.raises(NotFound):
        comments.delete_comment(campus.connection, bob, comment_id=first)
    thread = comments.thread_for(campus.connection, item.id, eve)
    assert thread.roots[0].state == "deleted"
    assert thread.roots[0].body_html is None
    assert len(thread.roots[0].replies) == 2
    assert counters(campus, item.id)[3] == 3 == recount(campus, item.id)[3]
    # The deleted comment left the feed; a reply to it is refused.
    assert len(feed.feed_page(campus.connection, context_id=campus.course).entries) == 3
    with pytest.raises(NotFound):
        comments.add_comment(
            campus.connection, eve, item_key=item.key, markdown="?", reply_to=first
        )


def test_nothing_social_happens_to_items_the_course_cannot_see(campus: Campus) -> None:
    bob = campus.viewer("bob")
    hidden = [
        campus.item("ada", state="draft"),
        campus.item("ada", state="pending"),
        campus.item("ada", state="hidden"),
        campus.item("ada", deleted=True),
        campus.item("ada", course=campus.other_course),
        campus.item("ada", course=campus.foreign_course),
    ]
    for item in hidden:
        with pytest.raises(NotFound):
            comments.add_comment(campus.connection, bob, item_key=item.key, markdown="hi")
        with pytest.raises(NotFound):
            votes.toggle_helpful(campus.connection, bob, item_key=item.key)
        with pytest.raises(NotFound):
            votes.rate(campus.connection, bob, item_key=item.key, rating=5)
    with pytest.raises(NotFound):  # only Ada's invisible items: nothing to follow her by
        follows.follow(campus.connection, bob, kind="author", target_id=campus.person("ada"))
    # Shared to the course, another course's item is fair game.
    shared = hidden[4]
    campus.share(shared.id, campus.course)
    comments.add_comment(campus.connection, bob, item_key=shared.key, markdown="hi")
    assert counters(campus, shared.id)[3] == 1


def test_votes_toggle_rate_and_keep_counters_exact(campus: Campus) -> None:
    item = campus.item("ada")
    rng = random.Random(6)  # noqa: S311 - a reproducible scenario, not a secret
    people = [campus.viewer(f"peer{n}") for n in range(5)]
    for _ in range(60):
        who = rng.choice(people)
        if rng.random() < 0.5:
            votes.toggle_helpful(campus.connection, who, item_key=item.key)
        else:
            votes.rate(
                campus.connection, who, item_key=item.key, rating=rng.choice([None, 1, 3, 5])
            )
        assert counters(campus, item.id) == recount(campus, item.id)
    with pytest.raises(Forbidden):
        votes.toggle_helpful(campus.connection, campus.viewer("ada"), item_key=item.key)
    panel = votes.vote_panel(campus.connection, item.id, people[0].user_id)
    mine = campus.connection.execute(
        select(LibraryVote.helpful, LibraryVote.rating).where(
            LibraryVote.user_id == people[0].user_id
        )
    ).one_or_none()
    assert panel.mine == (VoteState(bool(mine[0]), mine[1]) if mine else VoteState())
    assert panel.helpful_count == counters(campus, item.id)[0]
    # Each person's first rating is in the feed once.
    rated = list(feed.feed_page(campus.connection, context_id=campus.course).entries)
    assert len(rated) == len({e.actor_name for e in rated})


def test_concurrent_votes_keep_counters_exact(campus: Campus, engine: Engine) -> None:
    item = campus.item("ada")
    people = [campus.viewer(f"peer{n}") for n in range(6)]
    campus.connection.commit()
    errors: list[BaseException] = []

    def click(who: int) -> None:
        try:
            for round_ in range(6):
                with engine.begin() as connection:
                    if round_ % 2:
                        votes.rate(
                            connection, people[who], item_key=item.key, rating=round_ % 5 + 1
                        )
                    else:
                        votes.toggle_helpful(connection, people[who % 3], item_key=item.key)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=click, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    campus.connection.rollback()
    assert counters(campus, item.id) == recount(campus, item.id)
    assert counters(campus, item.id)[2] == 6


def test_follow_is_course_scoped_idempotent_and_reversible(campus: Campus) -> None:
    bob = campus.viewer("bob")
    python = campus.topic("Python")
    theirs = campus.topic("Rust", course=campus.other_course)
    campus.item("ada")
    ada = campus.person("ada")
    follows.follow(campus.connection, bob, kind="topic", target_id=python)
    follows.follow(campus.connection, bob, kind="topic", target_id=python)
    follows.follow(campus.connection, bob, kind="author", target_id=ada)
    with pytest.raises(NotFound):
        follows.follow(campus.connection, bob, kind="topic", target_id=theirs)
    with pytest.raises(BadRequest):
        follows.follow(campus.connection, bob, kind="author", target_id=bob.user_id)
    with pytest.raises(BadRequest):
        follows.follow(campus.connection, bob, kind="course", target_id=1)
    found = follows.following(campus.connection, user_id=bob.user_id, context_id=campus.course)
    assert (found.topic_ids, found.author_ids) == ({python}, {ada})
    # Following both the topic and the author: one notification.
    notifications.notify_new_item(campus.connection, campus.item("ada", topics=(python,)))
    assert notices(campus, "bob") == ["new_item"]
    follows.unfollow(campus.connection, bob, kind="author", target_id=ada)
    found = follows.following(campus.connection, user_id=bob.user_id, context_id=campus.course)
    assert found.author_ids == frozenset()


def test_topic_requests_rank_claim_answer_and_hide(campus: Campus) -> None:
    ann, bob, cy = campus.viewer("ann"), campus.viewer("bob"), campus.viewer("cy")
    staff = campus.viewer("teacher", staff=True)
    first = requests.propose(campus.connection, ann, title=" Async  Python ", description="how?")
    second = requests.propose(campus.connection, bob, title="SQL window functions")
    assert requests.upvote(campus.connection, cy, request_id=second)
    assert not requests.upvote(campus.connection, cy, request_id=second)  # once
    assert not requests.upvote(campus.connection, bob, request_id=second)  # proposer's own
    board = requests.board(campus.connection, ann)
    assert [(e.title, e.votes, e.rank) for e in board] == [
        ("SQL window functions", 2, 1),
        ("Async Python", 1, 2),
    ]
    requests.volunteer(campus.connection, cy, request_id=second)
    with pytest.raises(SocialRefused):
        requests.volunteer(campus.connection, ann, request_id=second)
    other_item = campus.item("ann", title="Not mine to link")
    with pytest.raises(Forbidden):
        requests.answer(campus.connection, cy, request_id=second, item_key=other_item.key)
    answer = campus.item("cy", title="Window functions, explained")
    told = requests.answer(campus.connection, cy, request_id=second, item_key=answer.key)
    assert told == 1  # Bob (requester and voter), not Cy who answered
    assert notices(campus, "bob") == ["request_answered"]
    with pytest.raises(SocialRefused):
        requests.upvote(campus.connection, ann, request_id=second)
    entry = next(e for e in requests.board(campus.connection, ann) if e.id == second)
    assert (entry.state, entry.answer_title, entry.volunteer_name) == (
        "answered",
        "Window functions, explained",
        "Cy",
    )
    assert [
        e.verb for e in feed.feed_page(campus.connection, context_id=campus.course).entries
    ] == ["answered"]
    # Staff hide; learners no longer see or touch it; staff still do.
    with pytest.raises(Forbidden):
        requests.hide(campus.connection, ann, request_id=first)
    requests.hide(campus.connection, staff, request_id=first)
    assert [e.id for e in requests.board(campus.connection, ann)] == [second]
    assert {e.id for e in requests.board(campus.connection, staff)} == {first, second}
    with pytest.raises(NotFound):
        requests.upvote(campus.connection, bob, request_id=first)
    requests.restore(campus.connection, staff, request_id=first)
    assert (
        campus.connection.scalar(select(TopicRequest.state).where(TopicRequest.id == first))
        == "open"
    )
    # Another course's requests are not found.
    with pytest.raises(NotFound):
        requests.upvote(
            campus.connection, campus.viewer("zed", course=campus.other_course), request_id=first
        )
    assert campus.connection.scalar(select(func.count()).select_from(LibraryNotification)) == 1


def test_hidden_comments_are_placeholders_for_learners_and_marked_for_staff(
    campus: Campus,
) -> None:
    item = campus.item("ada")
    bob, eve = campus.viewer("bob"), campus.viewer("eve")
    staff = campus.viewer("teacher", staff=True)
    root = comments.add_comment(campus.connection, bob, item_key=item.key, markdown="Rude words")
    comments.add_comment(campus.connection, eve, item_key=item.key, markdown="Hm", reply_to=root)
    lone = comments.add_comment(campus.connection, eve, item_key=item.key, markdown="Spam")
    hidden_reply = comments.add_comment(
        campus.connection, bob, item_key=item.key, markdown="More", reply_to=root
    )
    campus.connection.execute(
        update(LibraryComment)
        .where(LibraryComment.id.in_([root, lone, hidden_reply]))
        .values(hidden_at=NOW)
    )
    learner_view = comments.thread_for(campus.connection, item.id, eve)
    [placeholder] = learner_view.roots
    assert (placeholder.id, placeholder.state, placeholder.body_html) == (root, "hidden", None)
    assert placeholder.author_name == ""
    assert [reply.body_markdown for reply in placeholder.replies] == ["Hm"]
    staff_view = comments.thread_for(campus.connection, item.id, staff)
    assert [(node.id, node.state) for node in staff_view.roots] == [
        (root, "hidden"),
        (lone, "hidden"),
    ]
    assert "Rude words" in (staff_view.roots[0].body_html or "")
    assert len(staff_view.roots[0].replies) == 2
    # The hidden comment's author cannot edit it back into view, nor be replied to.
    with pytest.raises(SocialRefused):
        comments.edit_comment(campus.connection, bob, comment_id=root, markdown="Nice words")
    with pytest.raises(NotFound):
        comments.add_comment(campus.connection, eve, item_key=item.key, markdown="?", reply_to=root)
    # Feed: the hidden comments' events are gone, the reply's stays.
    page = feed.feed_page(campus.connection, context_id=campus.course)
    assert [entry.comment_excerpt for entry in page.entries] == ["Hm"]
