"""An exact allocation for small problems: a min-cost max-flow.

Source -> submission (its need) -> reviewer (one unit per allowed pair) -> sink. Flow is
maximised first, so every submission gets its reviews; then cost is minimised: a unit above
a reviewer's level costs ``ABOVE_LEVEL`` and one above ``level + 1`` costs ``OVERLOAD``,
both larger than any number of policy breaks (cost 1 each), so balance comes before the
group policy and the policy is broken for as few pairs as possible.
"""

from __future__ import annotations

from collections import deque

from lti_tool.domain.peer_review._problem import IndexedProblem

EDGE_LIMIT = 6_000  # beyond this, successive shortest paths in Python get slow
UNREACHED = 1 << 62


class _Network:
    def __init__(self, nodes: int) -> None:
        self.head: list[list[int]] = [[] for _ in range(nodes)]
        self.to: list[int] = []
        self.capacity: list[int] = []
        self.cost: list[int] = []

    def add(self, start: int, end: int, capacity: int, cost: int) -> int:
        self.head[start].append(len(self.to))
        self.to.append(end)
        self.capacity.append(capacity)
        self.cost.append(cost)
        self.head[end].append(len(self.to))
        self.to.append(start)
        self.capacity.append(0)
        self.cost.append(-cost)
        return len(self.to) - 2

    def min_cost_flow(self, source: int, sink: int) -> None:
        """Successive shortest paths (SPFA copes with the negative residual costs)."""
        nodes = len(self.head)
        while True:
            distance = [UNREACHED] * nodes
            via = [-1] * nodes
            distance[source] = 0
            queue = deque([source])
            queued = [False] * nodes
            while queue:
                node = queue.popleft()
                queued[node] = False
                here = distance[node]
                for edge in self.head[node]:
                    if self.capacity[edge] <= 0:
                        continue
                    end = self.to[edge]
                    there = distance[end]
                    if here + self.cost[edge] < there:
                        distance[end] = here + self.cost[edge]
                        via[end] = edge
                        if not queued[end]:
                            queued[end] = True
                            queue.append(end)
            if distance[sink] == UNREACHED:
                return
            push = 1 << 60
            node = sink
            while node != source:
                edge = via[node]
                push = min(push, self.capacity[edge])
                node = self.to[edge ^ 1]
            node = sink
            while node != source:
                edge = via[node]
                self.capacity[edge] -= push
                self.capacity[edge ^ 1] += push
                node = self.to[edge ^ 1]


def exact(problem: IndexedProblem, ring: list[int], level: int) -> tuple[list[int], list[int]]:
    """The best allocation by (all needs met, balance, fewest policy breaks)."""
    n, m = problem.submissions, problem.reviewers
    total = sum(problem.need)
    policy_breaks_max = total + 1
    above_level = policy_breaks_max
    overload = above_level * (total + 1)
    source, sink = n + m, n + m + 1
    network = _Network(n + m + 2)
    for submission in range(n):
        if problem.need[submission]:
            network.add(source, submission, problem.need[submission], 0)
    pair_edges: list[tuple[int, int, int]] = []
    for submission in range(n):
        if not problem.need[submission]:
            continue
        taken = set(problem.existing_of.get(submission, ()))
        for reviewer in ring:  # ring order: ties go the same seeded way every run
            if reviewer == problem.author[submission] or reviewer in taken:
                continue
            cost = 0 if problem.policy_ok(reviewer, submission) else 1
            edge = network.add(submission, n + reviewer, 1, cost)
            pair_edges.append((edge, reviewer, submission))
    for reviewer in ring:
        room = level - problem.base_load[reviewer]
        if room > 0:
            network.add(n + reviewer, sink, room, 0)
        if room >= 0:
            network.add(n + reviewer, sink, 1, above_level)
        network.add(n + reviewer, sink, total, overload)
    network.min_cost_flow(source, sink)
    reviewers: list[int] = []
    submissions: list[int] = []
    for edge, reviewer, submission in pair_edges:
        if network.capacity[edge] == 0:
            reviewers.append(reviewer)
            submissions.append(submission)
    return reviewers, submissions
