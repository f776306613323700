"""An independent answer to "is a balanced allocation honouring the policy possible?".

A plain max-flow (augmenting paths by depth-first search), written apart from the
allocator: source -> submission (its need) -> reviewer (allowed pairs) -> sink. Loads are
balanced when every reviewer gives ``level`` and ``extra`` of them one more; the flow
forces that with ``level`` units per reviewer straight to the sink and one more through a
bottleneck of ``extra``. Full flow means such an allocation exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lti_tool.domain.peer_review.model import (
    GroupPolicy,
    ParticipantId,
    SubmissionId,
    group_allows,
)


def _max_flow(capacity: dict[str, dict[str, int]], source: str, sink: str) -> int:
    flow = 0
    while True:
        parent: dict[str, str] = {}
        stack = [source]
        seen = {source}
        while stack and sink not in seen:
            node = stack.pop()
            for nxt, room in capacity[node].items():
                if room > 0 and nxt not in seen:
                    seen.add(nxt)
                    parent[nxt] = node
                    stack.append(nxt)
        if sink not in seen:
            return flow
        node = sink
        while node != source:
            before = parent[node]
            capacity[before][node] -= 1
            capacity[node].setdefault(before, 0)
            capacity[node][before] += 1
            node = before
        flow += 1


def balanced_allocation_exists(
    submissions: Mapping[SubmissionId, ParticipantId],
    reviewers: Sequence[ParticipantId],
    k: int,
    groups: Mapping[ParticipantId, str],
    policy: GroupPolicy,
) -> bool:
    """Whether every submission can get min(k, other reviewers) reviews, loads balanced,
    no self-review, and ``policy`` honoured by every pair."""
    need = {
        submission: min(k, len(reviewers) - (author in reviewers))
        for submission, author in submissions.items()
    }
    total = sum(need.values())
    level, extra = divmod(total, len(reviewers))
    capacity: dict[str, dict[str, int]] = {"source": {}, "sink": {}, "extra": {"sink": extra}}
    for submission, author in submissions.items():
        capacity["source"]["s" + submission] = need[submission]
        capacity["s" + submission] = {
            "r" + reviewer: 1
            for reviewer in reviewers
            if reviewer != author
            and group_allows(
                policy, author_group=groups.get(author), reviewer_group=groups.get(reviewer)
            )
        }
    for reviewer in reviewers:
        capacity["r" + reviewer] = {"sink": level, "extra": 1}
    return _max_flow(capacity, "source", "sink") == total
