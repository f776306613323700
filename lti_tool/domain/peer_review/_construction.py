"""First allocations, built in O(n k): exact in counts and loads, nearly always valid.

Both constructions fix how many reviews each submission gets and each reviewer gives;
the repair step (``_repair``) then only swaps who reviews what, which keeps both.
"""

from __future__ import annotations

import random

from lti_tool.domain.peer_review._problem import IndexedProblem, Quotas


def circulant_applies(problem: IndexedProblem) -> bool:
    """The common case: the reviewers are exactly the authors, one submission each, nobody
    has a review yet, and every submission needs the same number, fewer than ``n``."""
    n = problem.submissions
    if problem.reviewers != n or problem.existing_of or n == 0:
        return False
    needs = set(problem.need)
    if len(needs) != 1 or not 0 < problem.need[0] < n:
        return False
    return sorted(problem.author) == list(range(n))


def circulant(problem: IndexedProblem, ring: list[int]) -> tuple[list[int], list[int]]:
    """Reviewer ``ring[i]`` reviews the work of ``ring[i + d]`` for ``k`` offsets ``d``.

    Distinct offsets in ``1..n-1`` give each person exactly ``k`` reviews to give and to
    receive, never their own and never twice the same pair. Offsets ``1..k`` do unless
    groups must be avoided; then the offsets that pair the fewest group-mates are chosen.
    """
    submission_of = [0] * problem.submissions
    for submission, author in enumerate(problem.author):
        submission_of[author] = submission
    in_ring_order = [submission_of[reviewer] for reviewer in ring]
    reviewers: list[int] = []
    submissions: list[int] = []
    for offset in _offsets(problem, ring):
        reviewers.extend(ring)
        submissions.extend(in_ring_order[offset:] + in_ring_order[:offset])
    return reviewers, submissions


def _offsets(problem: IndexedProblem, ring: list[int]) -> list[int]:
    wanted = problem.need[0]
    n = len(ring)
    if not problem.avoid_groups:
        return list(range(1, wanted + 1))
    # The spread ring keeps group-mates apart, but not at every distance (two equal
    # groups alternate: even offsets pair group-mates). Count each offset's clashes.
    groups = [problem.rev_group[reviewer] for reviewer in ring]
    clashes: list[tuple[int, int]] = []
    for offset in range(1, min(n - 1, 3 * wanted + 16) + 1):
        turned = groups[offset:] + groups[:offset]
        count = sum(1 for mine, theirs in zip(groups, turned, strict=True) if mine == theirs >= 0)
        clashes.append((count, offset))
        if sum(1 for clash, _ in clashes if clash == 0) == wanted:
            break
    clashes.sort()
    chosen = [offset for _count, offset in clashes[:wanted]]
    # Too few candidates (tiny rings): fill with the remaining offsets in order.
    chosen += [offset for offset in range(1, n) if offset not in chosen][: wanted - len(chosen)]
    return sorted(chosen)


def dealt(
    problem: IndexedProblem, ring: list[int], quotas: Quotas, rng: random.Random
) -> tuple[list[int], list[int]]:
    """Deal review slots round the reviewer ring, a submission's slots side by side.

    Each round gives one review to every reviewer with quota left, so reviewers give
    exactly their quota; a submission's slots are consecutive in the deal, hence go to
    different reviewers whenever it needs fewer reviews than there are reviewers. Authors
    may land on their own work: few, and the repair swaps them away.
    """
    remaining = list(quotas.new)
    active = [reviewer for reviewer in ring if remaining[reviewer] > 0]
    reviewers: list[int] = []
    while active:
        reviewers.extend(active)
        for reviewer in active:
            remaining[reviewer] -= 1
        active = [reviewer for reviewer in active if remaining[reviewer] > 0]
    order = list(range(problem.submissions))
    rng.shuffle(order)
    submissions: list[int] = []
    for submission in order:
        submissions.extend([submission] * problem.need[submission])
    if len(submissions) != len(reviewers):  # quotas are computed from the needs
        raise AssertionError("quotas and needs disagree")
    return reviewers, submissions
