"""Balanced peer review allocation: each submission gets ``k`` reviews, each reviewer
gives ``k`` (or loads differ by at most one), never their own, group policy honoured.

How: reviewers are put in a seeded ring (group-mates spread apart when groups must be
avoided); when the reviewers are exactly the authors the ring is a circulant (person
``i`` reviews ``i+1 .. i+k``), otherwise review slots are dealt round the ring. Both are
exact in counts and loads and O(n k). A local repair swaps away the few self-reviews,
duplicates and policy breaks; small problems, and any the repair cannot finish, are
solved exactly as a min-cost flow. What cannot be met is relaxed and said so.
"""

from __future__ import annotations

import enum
import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from lti_tool.domain.peer_review._construction import circulant, circulant_applies, dealt
from lti_tool.domain.peer_review._exact import EDGE_LIMIT, exact
from lti_tool.domain.peer_review._problem import (
    NO_ONE,
    IndexedProblem,
    level_quotas,
    reviewer_ring,
)
from lti_tool.domain.peer_review._repair import Repair, policy_floor
from lti_tool.domain.peer_review.model import (
    Allocation,
    GroupPolicy,
    InvalidAllocationRequest,
    ParticipantId,
    SubmissionId,
    group_of,
)

# Below this many reviewer x submission pairs, go straight to the exact solver.
SMALL_PROBLEM = 400


class RelaxedConstraint(enum.StrEnum):
    REVIEWS_PER_SUBMISSION = "reviews_per_submission"
    GROUP_POLICY = "group_policy"
    LOAD_BALANCE = "load_balance"


@dataclass(frozen=True)
class Relaxation:
    """A constraint that could not be met, for whom, and why, in words staff can read."""

    constraint: RelaxedConstraint
    reason: str
    submissions: tuple[SubmissionId, ...] = ()
    pairs: tuple[Allocation, ...] = ()


@dataclass(frozen=True)
class AllocationResult:
    """``pairs`` holds the existing allocations first, then ``added`` (the new ones).

    ``loads`` counts every pair (existing and new) of each reviewer in the pool.
    """

    pairs: tuple[Allocation, ...]
    added: tuple[Allocation, ...]
    relaxed: tuple[Relaxation, ...]
    loads: Mapping[ParticipantId, int] = field(default_factory=dict)

    @property
    def spread(self) -> int:
        """Most minus fewest reviews given by a reviewer of the pool."""
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0

    def relaxes(self, constraint: RelaxedConstraint) -> bool:
        return any(item.constraint is constraint for item in self.relaxed)


def allocate_balanced(
    submissions: Mapping[SubmissionId, ParticipantId],
    reviewers: Sequence[ParticipantId] | None,
    k: int,
    *,
    groups: Mapping[ParticipantId, str] | None = None,
    policy: GroupPolicy = GroupPolicy.NONE,
    seed: int,
    existing: Iterable[Allocation] = (),
) -> AllocationResult:
    """Allocate reviewers so each submission has ``k`` reviews in all, balanced.

    Args:
        submissions: each submission and its author.
        reviewers: the reviewer pool; ``None`` means the authors. Extra people who did not
            submit may be included: loads are then spread over the whole pool.
        k: reviews each submission should receive (existing ones included).
        groups: each participant's group; people missing from it have none.
        policy: which groups may review which (see :class:`GroupPolicy`).
        seed: the same inputs and seed give the same allocation, whatever their order.
        existing: allocations already made (by hand, or earlier): kept and counted.

    Raises:
        InvalidAllocationRequest: ``k`` < 1, a reviewer listed twice, or an existing
            allocation that is unknown, repeated or a self-review.
    """
    pool = _check_request(submissions, reviewers, k, existing)
    kept = tuple(existing)
    rng = random.Random(seed)  # noqa: S311 -- reproducible draws, nothing secret
    added: list[Allocation] = []
    relaxed: list[Relaxation] = []
    loads = dict.fromkeys(pool, 0)
    for pair in kept:
        if pair.reviewer in loads:
            loads[pair.reviewer] += 1
    for component in _components(submissions, pool, groups, policy):
        _allocate_component(
            component,
            submissions=submissions,
            groups=groups,
            policy=policy,
            k=k,
            kept=kept,
            rng=rng,
            added=added,
            relaxed=relaxed,
        )
    for pair in added:
        loads[pair.reviewer] += 1
    return AllocationResult(kept + tuple(added), tuple(added), tuple(relaxed), loads)


@dataclass(frozen=True)
class _Component:
    """Submissions and reviewers allocated together: all, or one group (same_group_only)."""

    submissions: list[SubmissionId]
    reviewers: list[ParticipantId]
    group: str | None = None


def _check_request(
    submissions: Mapping[SubmissionId, ParticipantId],
    reviewers: Sequence[ParticipantId] | None,
    k: int,
    existing: Iterable[Allocation],
) -> list[ParticipantId]:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidAllocationRequest(f"Reviews per submission must be at least 1, not {k!r}.")
    pool = sorted(set(submissions.values())) if reviewers is None else sorted(reviewers)
    repeated = [person for person, twin in itertools.pairwise(pool) if person == twin]
    if repeated:
        raise InvalidAllocationRequest(f"Reviewer {repeated[0]!r} is listed more than once.")
    seen: set[Allocation] = set()
    for pair in existing:
        if pair.submission not in submissions:
            raise InvalidAllocationRequest(
                f"An existing allocation names unknown submission {pair.submission!r}."
            )
        if submissions[pair.submission] == pair.reviewer:
            raise InvalidAllocationRequest(
                f"{pair.reviewer!r} is allocated their own submission {pair.submission!r}: "
                "self-review is a separate assignment, not an allocation."
            )
        if pair in seen:
            raise InvalidAllocationRequest(
                f"{pair.reviewer!r} is allocated {pair.submission!r} twice."
            )
        seen.add(pair)
    return pool


def _components(
    submissions: Mapping[SubmissionId, ParticipantId],
    pool: list[ParticipantId],
    groups: Mapping[ParticipantId, str] | None,
    policy: GroupPolicy,
) -> list[_Component]:
    ordered = sorted(submissions)
    if policy is not GroupPolicy.SAME_GROUP_ONLY:
        return [_Component(ordered, pool)]
    # Groups never mix, so each is its own allocation with its own balance.
    by_group: dict[str | None, _Component] = {}
    for submission in ordered:
        group = group_of(groups, submissions[submission])
        by_group.setdefault(group, _Component([], [], group)).submissions.append(submission)
    for person in pool:
        group = group_of(groups, person)
        by_group.setdefault(group, _Component([], [], group)).reviewers.append(person)
    return [by_group[key] for key in sorted(by_group, key=lambda key: (key is None, key or ""))]


def _allocate_component(
    component: _Component,
    *,
    submissions: Mapping[SubmissionId, ParticipantId],
    groups: Mapping[ParticipantId, str] | None,
    policy: GroupPolicy,
    k: int,
    kept: tuple[Allocation, ...],
    rng: random.Random,
    added: list[Allocation],
    relaxed: list[Relaxation],
) -> None:
    problem, short = _index(
        component, submissions=submissions, groups=groups, policy=policy, k=k, kept=kept
    )
    reviewers, subs, level = _solve(problem, rng)
    people, works = component.reviewers, component.submissions
    new = [
        Allocation(people[reviewer], works[submission])
        for reviewer, submission in zip(reviewers, subs, strict=True)
    ]
    added.extend(new)
    where = "" if component.group is None else f" in group {component.group!r}"
    if short:
        relaxed.append(
            Relaxation(
                RelaxedConstraint.REVIEWS_PER_SUBMISSION,
                f"{len(short)} submission(s){where} get fewer than {k} reviews: "
                "there are not enough other reviewers who may review them.",
                submissions=tuple(short),
            )
        )
    breaking = tuple(
        pair
        for pair, reviewer, submission in zip(new, reviewers, subs, strict=True)
        if not problem.policy_ok(reviewer, submission)
    )
    if breaking:
        relaxed.append(
            Relaxation(
                RelaxedConstraint.GROUP_POLICY,
                f"{len(breaking)} review(s) go to a reviewer from the author's own group: "
                f"not enough reviewers from other groups for {k} reviews each with balanced "
                "loads.",
                pairs=breaking,
            )
        )
    final = list(problem.base_load)
    for reviewer in reviewers:
        final[reviewer] += 1
    # Balanced means the water-fill shape: from ``level`` to ``level + 1``, unless
    # existing allocations already put a reviewer higher (then they get nothing new).
    overloaded = [
        people[reviewer]
        for reviewer in range(problem.reviewers)
        if (
            final[reviewer] > level + 1
            if problem.base_load[reviewer] <= level
            else final[reviewer] > problem.base_load[reviewer]
        )
        or final[reviewer] < level
    ]
    if overloaded:
        relaxed.append(
            Relaxation(
                RelaxedConstraint.LOAD_BALANCE,
                f"Loads{where} are uneven: {len(overloaded)} reviewer(s) give fewer than "
                f"{level} or more than {level + 1} reviews, as the submissions each may "
                "review do not allow an even split.",
            )
        )


def _index(
    component: _Component,
    *,
    submissions: Mapping[SubmissionId, ParticipantId],
    groups: Mapping[ParticipantId, str] | None,
    policy: GroupPolicy,
    k: int,
    kept: tuple[Allocation, ...],
) -> tuple[IndexedProblem, list[SubmissionId]]:
    """Number the component's people, submissions and groups; work out each need."""
    reviewer_index = {person: index for index, person in enumerate(component.reviewers)}
    submission_index = {work: index for index, work in enumerate(component.submissions)}
    group_index: dict[str, int] = {}

    def number(person: ParticipantId) -> int:
        group = group_of(groups, person)
        return NO_ONE if group is None else group_index.setdefault(group, len(group_index))

    base_load = [0] * len(component.reviewers)
    existing_of: dict[int, list[int]] = {}
    outside = [0] * len(component.submissions)  # existing reviews by people not in the pool
    for pair in kept:
        reviewer = reviewer_index.get(pair.reviewer, NO_ONE)
        if reviewer != NO_ONE:
            base_load[reviewer] += 1
        submission = submission_index.get(pair.submission, NO_ONE)
        if submission == NO_ONE:
            continue
        if reviewer == NO_ONE:
            outside[submission] += 1
        else:
            existing_of.setdefault(submission, []).append(reviewer)
    authors = [reviewer_index.get(submissions[work], NO_ONE) for work in component.submissions]
    need: list[int] = []
    short: list[SubmissionId] = []
    for index, work in enumerate(component.submissions):
        others = len(component.reviewers) - (authors[index] != NO_ONE) + outside[index]
        target = min(k, others)
        if target < k:
            short.append(work)
        need.append(max(0, target - outside[index] - len(existing_of.get(index, ()))))
    problem = IndexedProblem(
        author=authors,
        sub_group=[number(submissions[work]) for work in component.submissions],
        rev_group=[number(person) for person in component.reviewers],
        need=need,
        base_load=base_load,
        avoid_groups=policy is GroupPolicy.AVOID_SAME_GROUP,
        existing_of=existing_of,
    )
    return problem, short


def _solve(problem: IndexedProblem, rng: random.Random) -> tuple[list[int], list[int], int]:
    """New pairs as parallel lists (reviewer, submission), and the load level aimed at."""
    ring = reviewer_ring(problem, rng)
    quotas = level_quotas(problem.base_load, sum(problem.need), ring)
    if not any(problem.need):
        return [], [], quotas.level
    size = problem.submissions * problem.reviewers
    if size <= SMALL_PROBLEM:
        return (*exact(problem, ring, quotas.level), quotas.level)
    if circulant_applies(problem):
        reviewers, submissions = circulant(problem, ring)
        # Distinct offsets below n rule out self-review and duplicates: only groups remain.
        if not problem.avoid_groups or all(map(problem.policy_ok, reviewers, submissions)):
            return reviewers, submissions, quotas.level
    else:
        reviewers, submissions = dealt(problem, ring, quotas, rng)
    repair = Repair(problem, reviewers, submissions, rng)
    floor = policy_floor(problem, quotas)
    left = repair.run(policy_floor=floor)
    # Self-review and duplicates are never acceptable: solve exactly whatever the size.
    if left < 0 or (left > floor and size <= EDGE_LIMIT):
        return (*exact(problem, ring, quotas.level), quotas.level)
    return repair.reviewers, repair.submissions, quotas.level
