"""Peer review allocation: the balanced allocator against a naive randomized greedy one.

For each course size and k, with no groups and with groups of 30 under
``avoid_same_group``: seconds to allocate, peak memory traced by tracemalloc (a second,
traced run, as tracing slows Python down), the spread of reviewer loads, and pairs that
break a rule (self-review, duplicate, wrong number of reviews, group policy). The
baseline gives each submission k random eligible reviewers, as a quick script would.

Targets: 10,000 submissions x k=5 under 1 s; 100,000 under 10 s; spread <= 1.

    python benchmarks/allocation.py [--sizes 10000 100000] [--k 3 5] [--group-size 30]

Each section is a function that returns printable lines; add one to ``SECTIONS``. The
queue's pick on PostgreSQL is measured by ``benchmarks/queue_pick.py`` (see there).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.queue_pick import add_arguments as add_queue_arguments  # noqa: E402
from benchmarks.queue_pick import queue_pick_section  # noqa: E402
from lti_tool.domain.peer_review.allocation import allocate_balanced  # noqa: E402
from lti_tool.domain.peer_review.model import (  # noqa: E402
    Allocation,
    GroupPolicy,
    ParticipantId,
    SubmissionId,
    group_allows,
)

Allocator = Callable[..., Sequence[Allocation]]


@dataclass(frozen=True)
class Course:
    submissions: dict[SubmissionId, ParticipantId]
    reviewers: list[ParticipantId]
    groups: dict[ParticipantId, str] | None
    policy: GroupPolicy

    @property
    def label(self) -> str:
        return "no groups" if self.groups is None else f"groups, {self.policy.value}"


def make_course(size: int, group_size: int | None) -> Course:
    people = [ParticipantId(f"learner-{n}") for n in range(size)]
    submissions = {SubmissionId(f"submission-{n}"): person for n, person in enumerate(people)}
    if group_size is None:
        return Course(submissions, people, None, GroupPolicy.NONE)
    groups = {person: f"group-{n // group_size}" for n, person in enumerate(people)}
    return Course(submissions, people, groups, GroupPolicy.AVOID_SAME_GROUP)


def peerlearn(course: Course, k: int, seed: int) -> Sequence[Allocation]:
    return allocate_balanced(
        course.submissions,
        course.reviewers,
        k,
        groups=course.groups,
        policy=course.policy,
        seed=seed,
    ).pairs


def random_greedy(course: Course, k: int, seed: int) -> Sequence[Allocation]:
    """Each submission draws random reviewers until it has k eligible, distinct ones."""
    rng = random.Random(seed)
    groups = course.groups or {}
    pairs: list[Allocation] = []
    for submission, author in course.submissions.items():
        chosen: set[ParticipantId] = set()
        while len(chosen) < k:
            reviewer = rng.choice(course.reviewers)
            if reviewer != author and group_allows(
                course.policy,
                author_group=groups.get(author),
                reviewer_group=groups.get(reviewer),
            ):
                chosen.add(reviewer)
        pairs.extend(Allocation(reviewer, submission) for reviewer in chosen)
    return pairs


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_mib: float
    spread: int
    broken: int


def broken_pairs(course: Course, k: int, pairs: Sequence[Allocation]) -> int:
    """Pairs against a rule, counted independently of the allocator."""
    groups = course.groups or {}
    broken = len(pairs) - len(set(pairs))
    for pair in pairs:
        author = course.submissions[pair.submission]
        if pair.reviewer == author or not group_allows(
            course.policy, author_group=groups.get(author), reviewer_group=groups.get(pair.reviewer)
        ):
            broken += 1
    received = Counter(pair.submission for pair in pairs)
    broken += sum(abs(received[submission] - k) for submission in course.submissions)
    return broken


def measure(allocator: Allocator, course: Course, k: int, seed: int) -> Measure:
    gc.collect()
    started = time.perf_counter()
    pairs = allocator(course, k, seed)
    seconds = time.perf_counter() - started
    del pairs
    gc.collect()
    tracemalloc.start()
    pairs = allocator(course, k, seed)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    loads = Counter(pair.reviewer for pair in pairs)
    counts = [loads[reviewer] for reviewer in course.reviewers]
    return Measure(seconds, peak / 2**20, max(counts) - min(counts), broken_pairs(course, k, pairs))


def balanced_section(args: argparse.Namespace) -> list[str]:
    allocators: Mapping[str, Allocator] = {"peerlearn": peerlearn, "random greedy": random_greedy}
    header = (
        f"{'submissions':>11} {'k':>2} {'course':<28} {'allocator':<14} {'seconds':>8} "
        f"{'peak MiB':>9} {'spread':>7} {'broken':>7}"
    )
    lines = [header, "-" * len(header)]
    for size in args.sizes:
        for group_size in (None, args.group_size):
            course = make_course(size, group_size)
            for k in args.k:
                for name, allocator in allocators.items():
                    result = measure(allocator, course, k, args.seed)
                    lines.append(
                        f"{size:>11} {k:>2} {course.label:<28} {name:<14} "
                        f"{result.seconds:>8.2f} {result.peak_mib:>9.1f} {result.spread:>7} "
                        f"{result.broken:>7}"
                    )
    lines.append(
        "\nTargets: 10,000 x k=5 under 1 s, 100,000 under 10 s, spread <= 1, nothing broken."
    )
    return lines


SECTIONS: dict[str, Callable[[argparse.Namespace], list[str]]] = {
    "Balanced allocation": balanced_section,
    "Queue pick (PostgreSQL)": queue_pick_section,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--k", type=int, nargs="+", default=[3, 5])
    parser.add_argument("--group-size", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    add_queue_arguments(parser)
    parser.add_argument("--only", choices=list(SECTIONS), help="run one section")
    args = parser.parse_args()
    for title, section in SECTIONS.items():
        if args.only and title != args.only:
            continue
        print(f"\n{title}\n")
        print("\n".join(section(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
