"""Allocation as the solvers see it: people and submissions numbered, groups as integers.

Reviewers are numbered ``0..m-1`` and submissions ``0..n-1``; an author who is not in the
reviewer pool is ``-1``, and so is "no group". Lists of ints keep 500,000 pairs cheap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

NO_ONE = -1


@dataclass
class IndexedProblem:
    """One independent allocation problem (a whole course, or one group of it)."""

    author: list[int]
    sub_group: list[int]
    rev_group: list[int]
    need: list[int]
    base_load: list[int]
    avoid_groups: bool
    existing_of: dict[int, list[int]] = field(default_factory=dict)

    @property
    def submissions(self) -> int:
        return len(self.author)

    @property
    def reviewers(self) -> int:
        return len(self.rev_group)

    def policy_ok(self, reviewer: int, submission: int) -> bool:
        """Whether the pair honours the group policy (self-review is checked elsewhere)."""
        if not self.avoid_groups:
            return True
        group = self.sub_group[submission]
        return group == NO_ONE or self.rev_group[reviewer] != group


@dataclass(frozen=True)
class Quotas:
    """New reviews each reviewer is to give, levelled on top of their existing load.

    Every reviewer ends at ``level`` or ``level + 1`` unless existing allocations already
    put them above it (then they get nothing new).
    """

    new: list[int]
    level: int


def level_quotas(base_load: list[int], total: int, ring: list[int]) -> Quotas:
    """Water-fill ``total`` new reviews over reviewers so that final loads differ by <= 1.

    The ``+1`` reviews go to the first reviewers in ``ring`` (a seeded order), so who
    gives one more is random but reproducible.
    """
    if not base_load:
        return Quotas([], 0)
    if not any(base_load):
        level, extra = divmod(total, len(base_load))
    else:
        low, high = 0, max(base_load) + total
        while low < high:  # the largest level whose fill fits in ``total``
            middle = (low + high + 1) // 2
            if sum(max(0, middle - load) for load in base_load) <= total:
                low = middle
            else:
                high = middle - 1
        level = low
        extra = total - sum(max(0, level - load) for load in base_load)
    new = [max(0, level - load) for load in base_load]
    for reviewer in ring:
        if extra == 0:
            break
        if base_load[reviewer] <= level:
            new[reviewer] += 1
            extra -= 1
    return Quotas(new, level)


def reviewer_ring(problem: IndexedProblem, rng: random.Random) -> list[int]:
    """A seeded cyclic order of reviewers; with groups to avoid, group-mates spread out.

    Member ``j`` of a group of size ``g`` sits near ``(j + u) / g`` of the way round
    (``u`` random per group), so group-mates are about ``m / g`` places apart and a
    window of ``k`` neighbours rarely holds two of them.
    """
    ring = list(range(problem.reviewers))
    rng.shuffle(ring)
    if not problem.avoid_groups:
        return ring
    members: dict[int, list[int]] = {}
    for reviewer in ring:
        members.setdefault(problem.rev_group[reviewer], []).append(reviewer)
    keys: list[tuple[float, float, int]] = []
    for group, people in members.items():
        if group == NO_ONE:
            keys.extend((rng.random(), rng.random(), person) for person in people)
            continue
        offset = rng.random()
        size = len(people)
        keys.extend(
            ((index + offset) / size, rng.random(), person) for index, person in enumerate(people)
        )
    keys.sort()
    return [person for _key, _tie, person in keys]
