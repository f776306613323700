"""Properties of the balanced allocator over random courses, groups and policies."""
# ruff: noqa: S311 - seeded random courses, nothing secret

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lti_tool.domain.peer_review.allocation import (
    AllocationResult,
    RelaxedConstraint,
    allocate_balanced,
)
from lti_tool.domain.peer_review.model import (
    Allocation,
    GroupPolicy,
    ParticipantId,
    SubmissionId,
    group_allows,
)
from tests.unit.domain.peer_review.oracle import balanced_allocation_exists

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Course:
    submissions: dict[SubmissionId, ParticipantId]
    reviewers: list[ParticipantId]
    groups: dict[ParticipantId, str]
    k: int
    policy: GroupPolicy
    seed: int

    def allocate(self, **overrides: object) -> AllocationResult:
        arguments: dict[str, object] = {
            "groups": self.groups,
            "policy": self.policy,
            "seed": self.seed,
        }
        arguments.update(overrides)
        return allocate_balanced(self.submissions, self.reviewers, self.k, **arguments)  # type: ignore[arg-type]

    def group(self, person: ParticipantId) -> str | None:
        return self.groups.get(person)


@st.composite
def courses(draw: st.DrawFn, *, max_size: int = 500, extras: int = 3) -> Course:
    size = draw(st.integers(2, max_size))
    extra = draw(st.integers(0, extras))
    group_count = draw(st.integers(0, 10))
    seed = draw(st.integers(0, 2**32))
    layout = random.Random(seed)
    people = [ParticipantId(f"p{n}") for n in range(size + extra)]
    groups: dict[ParticipantId, str] = {}
    if group_count:
        weights = [layout.random() + 0.1 for _ in range(group_count)]
        for person in people:
            if layout.random() < 0.9:  # some people have no group
                groups[person] = f"g{layout.choices(range(group_count), weights)[0]}"
    submissions = {SubmissionId(f"s{n}"): people[n] for n in range(size)}
    return Course(
        submissions=submissions,
        reviewers=people,
        groups=groups,
        k=draw(st.integers(1, 6)),
        policy=draw(st.sampled_from(GroupPolicy)),
        seed=seed,
    )


def component_of(course: Course, person: ParticipantId) -> object:
    return course.group(person) if course.policy is GroupPolicy.SAME_GROUP_ONLY else None


def expected_reviews(course: Course, submission: SubmissionId) -> int:
    author = course.submissions[submission]
    others = sum(
        1
        for reviewer in course.reviewers
        if reviewer != author and component_of(course, reviewer) == component_of(course, author)
    )
    return min(course.k, others)


def check_invariants(course: Course, result: AllocationResult) -> None:
    pairs = result.pairs
    assert len(set(pairs)) == len(pairs), "a pair is allocated twice"
    assert all(course.submissions[pair.submission] != pair.reviewer for pair in pairs)
    received = Counter(pair.submission for pair in pairs)
    short = set()
    for submission in course.submissions:
        assert received[submission] == expected_reviews(course, submission)
        if expected_reviews(course, submission) < course.k:
            short.add(submission)
    relaxed_k = {
        submission
        for item in result.relaxed
        if item.constraint is RelaxedConstraint.REVIEWS_PER_SUBMISSION
        for submission in item.submissions
    }
    assert relaxed_k == short
    given = Counter(pair.reviewer for pair in pairs)
    assert dict(result.loads) == {person: given[person] for person in course.reviewers}
    breaking = {  # existing pairs were someone's choice: only new ones are reported
        pair
        for pair in result.added
        if not group_allows(
            course.policy,
            author_group=course.group(course.submissions[pair.submission]),
            reviewer_group=course.group(pair.reviewer),
        )
    }
    reported = {
        pair
        for item in result.relaxed
        if item.constraint is RelaxedConstraint.GROUP_POLICY
        for pair in item.pairs
    }
    assert breaking == reported
    if course.policy is GroupPolicy.SAME_GROUP_ONLY:
        assert not breaking  # k is relaxed instead
    if not result.relaxes(RelaxedConstraint.LOAD_BALANCE):
        by_component: dict[object, list[int]] = {}
        for person in course.reviewers:
            by_component.setdefault(component_of(course, person), []).append(given[person])
        assert all(max(loads) - min(loads) <= 1 for loads in by_component.values())


@SETTINGS
@given(courses())
def test_allocations_are_valid_exact_and_balanced(course: Course) -> None:
    check_invariants(course, course.allocate())


@SETTINGS
@given(courses(max_size=30))
def test_the_policy_is_relaxed_exactly_when_no_allocation_could_honour_it(course: Course) -> None:
    result = course.allocate()
    check_invariants(course, result)
    if course.policy is GroupPolicy.SAME_GROUP_ONLY:
        return  # groups are allocated apart; the policy is never relaxed (k is)
    feasible = balanced_allocation_exists(
        course.submissions, course.reviewers, course.k, course.groups, course.policy
    )
    relaxed = result.relaxes(RelaxedConstraint.GROUP_POLICY) or result.relaxes(
        RelaxedConstraint.LOAD_BALANCE
    )
    assert relaxed == (not feasible)


@SETTINGS
@given(courses(extras=0), st.integers(1, 4))
def test_easy_groups_are_always_honoured(course: Course, spacing: int) -> None:
    # Groups far smaller than the course: the policy is certainly satisfiable.
    size = len(course.submissions)
    group_size = max(1, size // ((course.k + 1) * (spacing + 1)))
    groups = {person: f"g{n // group_size}" for n, person in enumerate(course.reviewers)}
    result = course.allocate(groups=groups, policy=GroupPolicy.AVOID_SAME_GROUP)
    if size > course.k:
        assert not result.relaxed


@SETTINGS
@given(courses(max_size=200))
def test_the_same_seed_gives_the_same_allocation_whatever_the_input_order(course: Course) -> None:
    first = course.allocate()
    shuffled = list(course.submissions.items())
    random.Random(1).shuffle(shuffled)
    reviewers = list(reversed(course.reviewers))
    again = allocate_balanced(
        dict(shuffled),
        reviewers,
        course.k,
        groups=course.groups,
        policy=course.policy,
        seed=course.seed,
    )
    assert again == first


@SETTINGS
@given(courses(max_size=200), st.integers(0, 2**32))
def test_existing_allocations_are_kept_and_counted(course: Course, salt: int) -> None:
    earlier = course.allocate(seed=salt)
    chooser = random.Random(salt)
    existing = [pair for pair in earlier.pairs if chooser.random() < 0.3]
    result = course.allocate(existing=existing)
    assert result.pairs[: len(existing)] == tuple(existing)
    assert set(result.added).isdisjoint(existing)
    check_invariants(course, result)


@SETTINGS
@given(courses(max_size=60, extras=0), st.integers(1, 40))
def test_late_submissions_are_allocated_on_top_of_earlier_ones(course: Course, late: int) -> None:
    # Allocate on time, then again with late arrivals: the first pairs stay, all get k.
    on_time = dict(list(course.submissions.items())[: max(2, len(course.submissions) - late)])
    first = allocate_balanced(
        on_time, list(on_time.values()), course.k, seed=course.seed, policy=GroupPolicy.NONE
    )
    everyone = Course(
        course.submissions, course.reviewers, {}, course.k, GroupPolicy.NONE, course.seed
    )
    result = everyone.allocate(existing=first.pairs)
    assert set(first.pairs) <= set(result.pairs)
    received = Counter(pair.submission for pair in result.pairs)
    for submission in course.submissions:
        assert received[submission] == expected_reviews(everyone, submission)
    assert all(isinstance(pair, Allocation) for pair in result.added)
