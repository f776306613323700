"""Social learning rules: threads, comment limits, ratings, vote counters, who is told
of what, topic request states and the ranking of demand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.errors import BadRequest, Forbidden
from lti_tool.domain.library import social
from lti_tool.domain.library.social import (
    CommentRef,
    CounterDelta,
    RankedRequest,
    RequestFacts,
    RequestState,
    SocialRefused,
    VoteState,
)

T0 = datetime(2027, 1, 1, tzinfo=UTC)


def test_a_reply_to_a_comment_hangs_under_it() -> None:
    placed = social.place_reply(CommentRef(id=7, parent_id=None, author_id=3))
    assert (placed.parent_id, placed.answers_author_id) == (7, 3)


def test_a_reply_to_a_reply_joins_the_thread_root_and_answers_the_replier() -> None:
    placed = social.place_reply(CommentRef(id=9, parent_id=7, author_id=4))
    assert (placed.parent_id, placed.answers_author_id) == (7, 4)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_comment_is_refused(text: str) -> None:
    with pytest.raises(BadRequest) as refused:
        social.check_comment(text)
    assert refused.value.code == "comment_empty"


def test_comment_length_is_limited_after_trimming() -> None:
    at_limit = "x" * social.MAX_COMMENT_CHARS
    assert social.check_comment(f"  {at_limit}\n") == at_limit
    with pytest.raises(BadRequest) as refused:
        social.check_comment(at_limit + "x")
    assert refused.value.code == "comment_too_long"


def test_control_characters_are_dropped_but_lines_kept() -> None:
    assert social.check_comment("a\x00b\x0bc\x7f\n\td\r\n") == "abc\n\td"
    assert social.check_request("x\x00y", "z\x1b") == ("xy", "z")
    with pytest.raises(BadRequest):
        social.check_comment("\x00\x01")


def test_only_the_author_changes_a_comment() -> None:
    assert social.may_change_comment(viewer_id=1, author_id=1)
    assert not social.may_change_comment(viewer_id=2, author_id=1)
    assert not social.may_change_comment(viewer_id=2, author_id=None)


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", 1), ("5", 5), (3, 3), ("", None), (None, None)]
)
def test_ratings_run_from_one_to_five_or_none(raw: str | int | None, expected: int | None) -> None:
    assert social.check_rating(raw) == expected


@pytest.mark.parametrize("raw", ["0", "6", "-1", "3.5", "five", 10])
def test_ratings_outside_one_to_five_are_refused(raw: str | int) -> None:
    with pytest.raises(BadRequest):
        social.check_rating(raw)


def test_authors_do_not_vote_on_their_own_items() -> None:
    assert social.may_vote(viewer_id=1, author_id=2)
    assert social.may_vote(viewer_id=1, author_id=None)
    assert not social.may_vote(viewer_id=1, author_id=1)


def test_rating_average_is_none_without_ratings() -> None:
    assert social.rating_average(0, 0) is None
    assert social.rating_average(9, 2) == 4.5


votes = st.builds(
    VoteState, helpful=st.booleans(), rating=st.none() | st.integers(min_value=1, max_value=5)
)


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=5), votes), max_size=60))
def test_counters_moved_by_deltas_equal_a_recount(changes: list[tuple[int, VoteState]]) -> None:
    """Any sequence of votes, unvotes, ratings and withdrawals by a few people keeps the
    item's counters equal to a recount of everyone's current vote."""
    current: dict[int, VoteState] = {}
    helpful = rating_sum = rating_count = 0
    for person, after in changes:
        delta = social.vote_delta(current.get(person, VoteState()), after)
        helpful += delta.helpful
        rating_sum += delta.rating_sum
        rating_count += delta.rating_count
        current[person] = after
        assert helpful == sum(vote.helpful for vote in current.values())
        assert rating_sum == sum(vote.rating or 0 for vote in current.values())
        assert rating_count == sum(vote.rating is not None for vote in current.values())


def test_an_unchanged_vote_moves_nothing() -> None:
    vote = VoteState(helpful=True, rating=4)
    assert social.vote_delta(vote, vote).is_zero
    assert social.vote_delta(VoteState(), vote) == CounterDelta(1, 4, 1)


def test_nobody_is_told_of_their_own_acts() -> None:
    assert social.comment_recipients(actor_id=1, item_author_id=1) == frozenset()
    assert social.comment_recipients(actor_id=2, item_author_id=1) == {1}
    assert social.comment_recipients(actor_id=2, item_author_id=None) == frozenset()
    assert social.reply_recipients(actor_id=2, answered_author_id=2) == frozenset()
    assert social.reply_recipients(actor_id=2, answered_author_id=5) == {5}


def test_followers_of_both_topic_and_author_hear_once_and_the_author_never() -> None:
    assert social.new_item_recipients(
        author_id=1, topic_followers=[2, 3, 1, 3], author_followers=[2, 4]
    ) == {2, 3, 4}


def test_an_answer_tells_the_requester_and_voters_once() -> None:
    assert social.answered_recipients(actor_id=5, requester_id=1, voter_ids=[1, 2, 5]) == {1, 2}
    assert social.answered_recipients(actor_id=5, requester_id=None, voter_ids=[]) == frozenset()


def test_request_text_is_trimmed_and_limited() -> None:
    assert social.check_request("  Async   Python ", " why? ") == ("Async Python", "why?")
    with pytest.raises(BadRequest):
        social.check_request("   ", "")
    with pytest.raises(BadRequest):
        social.check_request("x" * (social.MAX_REQUEST_TITLE_CHARS + 1), "")
    with pytest.raises(BadRequest):
        social.check_request("ok", "x" * (social.MAX_REQUEST_DESCRIPTION_CHARS + 1))


OPEN = RequestFacts(RequestState.OPEN, requested_by=1, volunteer_id=None)
ANSWERED = RequestFacts(RequestState.ANSWERED, requested_by=1, volunteer_id=2)
HIDDEN = RequestFacts(RequestState.HIDDEN, requested_by=1, volunteer_id=None)


def test_only_open_requests_take_votes() -> None:
    social.check_upvote(OPEN)
    for closed in (ANSWERED, HIDDEN):
        with pytest.raises(SocialRefused):
            social.check_upvote(closed)


def test_one_volunteer_per_open_request() -> None:
    social.check_volunteer(OPEN, viewer_id=3)
    claimed = RequestFacts(RequestState.OPEN, requested_by=1, volunteer_id=3)
    social.check_volunteer(claimed, viewer_id=3)  # saying it twice is fine
    with pytest.raises(SocialRefused) as refused:
        social.check_volunteer(claimed, viewer_id=4)
    assert refused.value.code == "request_claimed"
    with pytest.raises(SocialRefused):
        social.check_volunteer(HIDDEN, viewer_id=3)


def test_an_open_request_is_answered_by_the_items_author() -> None:
    social.check_answer(OPEN, viewer_id=3, item_author_id=3)
    with pytest.raises(Forbidden):
        social.check_answer(OPEN, viewer_id=3, item_author_id=4)
    social.check_answer(OPEN, viewer_id=3, item_author_id=4, is_staff=True)
    with pytest.raises(SocialRefused):
        social.check_answer(ANSWERED, viewer_id=3, item_author_id=3)


def test_only_staff_hide_and_restore() -> None:
    assert social.hidden_state(is_staff=True) is RequestState.HIDDEN
    with pytest.raises(Forbidden):
        social.hidden_state(is_staff=False)
    assert social.restored_state(is_staff=True, answered=True) is RequestState.ANSWERED
    assert social.restored_state(is_staff=True, answered=False) is RequestState.OPEN
    with pytest.raises(Forbidden):
        social.restored_state(is_staff=False, answered=False)


def test_demand_ranks_by_votes_then_the_longest_waiting() -> None:
    old_few = RankedRequest(1, votes=2, created_at=T0)
    new_many = RankedRequest(2, votes=5, created_at=T0 + timedelta(days=2))
    old_many = RankedRequest(3, votes=5, created_at=T0 + timedelta(days=1))
    twin = RankedRequest(4, votes=5, created_at=T0 + timedelta(days=1))
    assert social.rank_requests([old_few, twin, new_many, old_many]) == [
        old_many,
        twin,
        new_many,
        old_few,
    ]
