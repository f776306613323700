"""The continuous queue: who gets what next, leases, at-risk submissions, reassignment."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lti_tool.domain.peer_review.model import GroupPolicy, ParticipantId, SubmissionId
from lti_tool.domain.peer_review.review_queue import (
    AtRisk,
    Lease,
    RiskReason,
    SubmissionState,
    at_risk,
    eligible,
    grant_lease,
    pick_next,
    reassign,
)
from tests.unit.domain.peer_review.queue_world import QueueWorld

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def person(n: int) -> ParticipantId:
    return ParticipantId(f"p{n}")


def state(
    n: int, *, completed: int = 0, hours: int = 0, leases: tuple[Lease, ...] = ()
) -> SubmissionState:
    return SubmissionState(
        SubmissionId(f"s{n}"), person(n), None, T0 + hours * HOUR, completed, leases
    )


def pick(reviewer: ParticipantId, states: list[SubmissionState], **options: object) -> object:
    arguments: dict[str, object] = {
        "policy": GroupPolicy.NONE,
        "groups": {},
        "already_reviewed_by_reviewer": set(),
        "now": T0 + 100 * HOUR,
    }
    arguments.update(options)
    return pick_next(reviewer, states, **arguments)  # type: ignore[arg-type]


def test_the_least_reviewed_then_the_oldest_comes_first() -> None:
    states = [state(1, completed=2), state(2, completed=1, hours=5), state(3, completed=1)]
    assert pick(person(9), states) == "s3"


def test_live_leases_count_as_reviews_in_progress() -> None:
    lease = grant_lease(person(7), SubmissionId("s1"), now=T0 + 99 * HOUR)
    states = [state(1, leases=(lease,)), state(2, completed=0, hours=3)]
    assert pick(person(9), states) == "s2"
    # Once it runs out, s1 (older) is back in front.
    assert pick(person(9), states, now=T0 + 200 * HOUR) == "s1"


def test_own_reviewed_held_and_other_group_work_is_never_offered() -> None:
    lease = grant_lease(person(9), SubmissionId("s2"), now=T0 + 99 * HOUR)
    states = [state(9), state(1), state(2, leases=(lease,)), state(3)]
    assert pick(person(9), states, already_reviewed_by_reviewer={"s1"}) == "s3"
    groups = {person(9): "a", person(3): "a"}
    assert (
        pick(
            person(9),
            [state(9), dataclasses.replace(state(3), group="a")],
            policy=GroupPolicy.AVOID_SAME_GROUP,
            groups=groups,
        )
        is None
    )


def test_a_lease_expires_at_its_end_and_never_outlives_the_deadline() -> None:
    lease = grant_lease(person(1), SubmissionId("s2"), now=T0)
    assert lease.expires_at == T0 + 24 * HOUR
    assert not lease.expired(T0 + 23 * HOUR)
    assert lease.expired(T0 + 24 * HOUR)
    short = grant_lease(person(1), SubmissionId("s2"), now=T0, review_deadline=T0 + 3 * HOUR)
    assert short.expires_at == T0 + 3 * HOUR


def test_at_risk_before_the_window_lists_work_leases_cannot_cover() -> None:
    lease = grant_lease(person(5), SubmissionId("s1"), now=T0)
    states = [state(1, completed=1, leases=(lease,)), state(2, completed=1), state(3, completed=2)]
    found = at_risk(
        states, k=2, now=T0 + HOUR, review_deadline=T0 + 100 * HOUR, warning_window=24 * HOUR
    )
    assert found == (AtRisk(SubmissionId("s2"), 1, 0, 1, RiskReason.NOT_ENOUGH_UNDER_WAY),)


def test_at_risk_inside_the_window_lists_every_short_submission() -> None:
    lease = grant_lease(person(5), SubmissionId("s1"), now=T0)
    states = [state(1, completed=1, leases=(lease,)), state(2, completed=0), state(3, completed=2)]
    found = at_risk(
        states, k=2, now=T0 + HOUR, review_deadline=T0 + 10 * HOUR, warning_window=24 * HOUR
    )
    assert [item.submission for item in found] == ["s2", "s1"]  # most missing first
    assert {item.reason for item in found} == {RiskReason.DEADLINE_NEAR}


def test_reassign_asks_the_least_loaded_willing_reviewers_and_flags_the_rest() -> None:
    states = [state(1, completed=0), state(2, completed=2)]
    plan = reassign(
        states,
        k=2,
        willing={person(7): 5, person(8): 3, person(1): 0},
        reviewed_by={person(8): {SubmissionId("s2")}},
        policy=GroupPolicy.NONE,
        groups={},
        now=T0,
        review_deadline=T0 + 10 * HOUR,
        warning_window=24 * HOUR,
    )
    assert [(lease.reviewer, lease.submission) for lease in plan.leases] == [
        ("p8", "s1"),
        ("p7", "s1"),
    ]
    assert plan.flagged == ()
    alone = reassign(
        states,
        k=2,
        willing={person(8): 0},
        reviewed_by={},
        policy=GroupPolicy.NONE,
        groups={},
        now=T0,
        review_deadline=T0 + 10 * HOUR,
        warning_window=24 * HOUR,
    )
    assert [(lease.reviewer, lease.submission) for lease in alone.leases] == [("p8", "s1")]
    assert all(lease.reassigned for lease in alone.leases)
    assert [(item.submission, item.missing) for item in alone.flagged] == [("s1", 1)]


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    people=st.integers(2, 40),
    dropout=st.floats(0, 0.6),
    late=st.floats(0, 0.5),
    policy=st.sampled_from(GroupPolicy),
)
def test_the_queue_keeps_its_promises_under_random_traffic(
    seed: int, people: int, dropout: float, late: float, policy: GroupPolicy
) -> None:
    rng = random.Random(seed)  # noqa: S311 - a seeded course, nothing secret
    world = QueueWorld(
        T0, policy, {person(n): f"g{rng.randrange(3)}" for n in range(people) if rng.random() < 0.8}
    )
    late_ones = {n for n in range(people) if rng.random() < late}
    for n in range(people):
        if n not in late_ones:
            world.submit(person(n))
    held: list[Lease] = []
    for _step in range(60):
        world.advance(timedelta(hours=rng.choice([1, 2, 6, 30])))
        for n in list(late_ones):
            if rng.random() < 0.2:  # a late joiner turns up and joins the queue
                world.submit(person(n))
                late_ones.discard(n)
        for lease in list(held):
            if rng.random() < dropout:
                continue  # never comes back: the lease must run out by itself
            held.remove(lease)
            world.complete(lease)
        reviewer = person(rng.randrange(people))
        before = dict(world.states)
        lease = world.request(reviewer, timedelta(hours=rng.choice([3, 24])))
        candidates = [
            item
            for item in before.values()
            if eligible(
                reviewer,
                item,
                policy=policy,
                groups=world.groups,
                already_reviewed_by_reviewer=world.reviewed.get(reviewer, set()),
                now=world.now,
            )
        ]
        if lease is None:
            assert candidates == []
            continue
        held.append(lease)
        best = min(
            (item.completed_reviews + item.in_progress(world.now), item.submitted_at, item.id)
            for item in candidates
        )
        assert best[2] == lease.submission
        for item in world.states.values():
            # Expired leases are gone from the pool: what remains is live.
            assert all(not lease.expired(world.now) for lease in item.active_leases)
    world.advance(timedelta(hours=25))
    assert all(item.in_progress(world.now) == 0 for item in world.states.values())
