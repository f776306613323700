"""Local repair: swap reviewers between pairs (or hand a pair to a less loaded reviewer)
until no pair is a self-review or a duplicate and as few as possible break the policy.

A swap keeps every submission's count and every reviewer's load; a move goes only to a
reviewer with a lower load, so the spread of loads never grows.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterable, Iterator

from lti_tool.domain.peer_review._problem import NO_ONE, IndexedProblem, Quotas

HARD = 1_000_000  # a self-review or a duplicate pair: never acceptable
SAMPLES = 48  # random partners tried per bad pair before giving up on it
EXHAUSTIVE_UP_TO = 4_000  # below this many pairs, try every partner instead
ATTEMPTS_PER_PAIR = 3  # bounds the time spent where the policy cannot be met anyway


class Repair:
    """Mutable state of one repair: the pairs, who reviews each submission, the loads."""

    def __init__(
        self,
        problem: IndexedProblem,
        reviewers: list[int],
        submissions: list[int],
        rng: random.Random,
    ) -> None:
        self.problem = problem
        self.reviewers = reviewers
        self.submissions = submissions
        self.rng = rng
        self.reviewers_of: list[list[int]] = [
            list(problem.existing_of.get(s, ())) for s in range(problem.submissions)
        ]
        self.load = list(problem.base_load)
        self.costs: list[int] = []
        self.tally: dict[int, int] = {}
        for reviewer, submission in zip(reviewers, submissions, strict=True):
            self.reviewers_of[submission].append(reviewer)
            self.load[reviewer] += 1
        self.uneven = max(self.load, default=0) != min(self.load, default=0)

    def cost(self, pair: int) -> int:
        """What pair ``pair`` costs where it stands: HARD, 1 (breaks the policy) or 0."""
        reviewer, submission = self.reviewers[pair], self.submissions[pair]
        if reviewer == self.problem.author[submission]:
            return HARD
        if self.reviewers_of[submission].count(reviewer) > 1:
            return HARD
        return 0 if self.problem.policy_ok(reviewer, submission) else 1

    def cost_if(self, reviewer: int, submission: int) -> int:
        """What giving ``submission`` to ``reviewer`` (not yet on it) would cost."""
        if reviewer == self.problem.author[submission]:
            return HARD
        if reviewer in self.reviewers_of[submission]:
            return HARD
        return 0 if self.problem.policy_ok(reviewer, submission) else 1

    def _reassign(self, pair: int, reviewer: int) -> None:
        old, submission = self.reviewers[pair], self.submissions[pair]
        self.reviewers_of[submission].remove(old)
        self.reviewers_of[submission].append(reviewer)
        self.load[old] -= 1
        self.load[reviewer] += 1
        self.reviewers[pair] = reviewer

    def try_move(self, pair: int, current: int, candidates: Iterable[int]) -> int:
        """Hand the pair to a less loaded reviewer if that lowers its cost; the new cost."""
        reviewer, submission = self.reviewers[pair], self.submissions[pair]
        ceiling = self.load[reviewer] - 1
        for other in candidates:
            if self.load[other] <= ceiling and self.cost_if(other, submission) < current:
                new = self.cost_if(other, submission)
                self._reassign(pair, other)
                return new
        return current

    def try_swap(self, pair: int, current: int, partners: Iterable[int]) -> int:
        """Exchange reviewers with another pair if that lowers the two pairs' total cost."""
        reviewer, submission = self.reviewers[pair], self.submissions[pair]
        reviewers, submissions = self.reviewers, self.submissions
        rev_group = self.problem.rev_group
        # A pair that only breaks the policy is helped only by a reviewer from another
        # group: rule out the rest with one lookup (the hot loop when groups are lopsided).
        clash = self.problem.sub_group[submission] if current == 1 else NO_ONE
        for partner in partners:
            other, other_submission = reviewers[partner], submissions[partner]
            if other == reviewer or other_submission == submission:
                continue
            if clash != NO_ONE and rev_group[other] == clash:
                continue
            mine = self.cost_if(other, submission)
            if mine >= current:
                continue
            theirs = self.cost_if(reviewer, other_submission)
            if mine + theirs < current + self.cost(partner):
                self._reassign(pair, other)
                self._reassign(partner, reviewer)
                self._recount(partner)
                return mine
        return current

    def run(self, *, policy_floor: int) -> int:
        """Repair every pair it can; the number of pairs still breaking the policy, or -1
        if a self-review or duplicate is left (the caller then solves exactly).

        Stops early once no more than ``policy_floor`` (a proven lower bound) remain.
        """
        count = len(self.reviewers)
        self.costs = [self.cost(pair) for pair in range(count)]
        self.tally = {0: 0, 1: 0, HARD: 0}
        for cost in self.costs:
            self.tally[cost] += 1
        queue = deque(pair for pair in range(count) if self.costs[pair])
        exhaustive = count <= EXHAUSTIVE_UP_TO
        attempts = 0
        budget = ATTEMPTS_PER_PAIR * (len(queue) + 1)
        while queue and (self.tally[HARD] or self.tally[1] > policy_floor):
            if attempts >= budget:
                break
            attempts += 1
            pair = queue.popleft()
            current = self._recount(pair)
            if current == 0:
                continue
            if exhaustive:
                people: Iterable[int] = range(self.problem.reviewers)
                partners: Iterable[int] = range(count)
            else:
                people = self._sample(self.problem.reviewers)
                partners = self._sample(count)
            # Moves only help where loads differ (or to undo a self-review/duplicate).
            improved = current
            if current >= HARD or self.uneven:
                improved = self.try_move(pair, current, people)
            if improved == current:
                improved = self.try_swap(pair, current, partners)
            if improved != current and self._recount(pair):
                queue.append(pair)
            elif improved == current and not exhaustive:
                queue.append(pair)  # other random partners may do better next time
        for pair in range(count):  # pairs changed as partners or twins: count afresh
            self._recount(pair)
        return -1 if self.tally[HARD] else self.tally[1]

    def _sample(self, size: int) -> Iterator[int]:
        # Drawn lazily: most bad pairs are fixed by one of the first few partners.
        draw = self.rng.random
        return (int(draw() * size) for _ in range(SAMPLES))

    def _recount(self, pair: int) -> int:
        cost = self.cost(pair)
        if cost != self.costs[pair]:
            self.tally[self.costs[pair]] -= 1
            self.tally[cost] += 1
            self.costs[pair] = cost
        return cost


def policy_floor(problem: IndexedProblem, quotas: Quotas) -> int:
    """A lower bound on the pairs that must break ``avoid_same_group``, over every
    balanced choice of who gives one review more.

    Submissions of group ``A`` need ``D_A`` reviews, but reviewers outside ``A`` can give
    at most ``Q - Q_A`` (all new reviews minus the fewest ``A``'s members can give): a
    Hall deficiency. Only single groups matter: any two groups together reach everyone.
    """
    if not problem.avoid_groups:
        return 0
    demand: dict[int, int] = {}
    for submission, group in enumerate(problem.sub_group):
        if group >= 0:
            demand[group] = demand.get(group, 0) + problem.need[submission]
    base: dict[int, int] = {}
    candidates: dict[int, int] = {}  # reviewers at the level, who may get the one more
    for reviewer, group in enumerate(problem.rev_group):
        if group >= 0:
            base[group] = base.get(group, 0) + max(0, quotas.level - problem.base_load[reviewer])
            if problem.base_load[reviewer] <= quotas.level:
                candidates[group] = candidates.get(group, 0) + 1
    total = sum(quotas.new)
    extra = total - sum(max(0, quotas.level - load) for load in problem.base_load)
    everyone = sum(1 for load in problem.base_load if load <= quotas.level)
    deficiency = 0
    for group, need in demand.items():
        forced = max(0, extra - (everyone - candidates.get(group, 0)))
        deficiency = max(deficiency, need - (total - base.get(group, 0) - forced))
    return deficiency
