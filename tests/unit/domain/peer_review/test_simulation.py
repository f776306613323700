"""A 300-learner course in continuous-queue mode, k = 3, hour by hour.

15% never review, 10% submit late, some reviewers walk away from leases. Near the review
deadline, learners who finished and opted in take reassignments. At every step the staff
dashboard (``at_risk``) must list every submission at risk, and at the end every
submission has its k reviews when enough learners are willing to review more.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lti_tool.domain.peer_review.model import GroupPolicy, ParticipantId, SubmissionId
from lti_tool.domain.peer_review.review_queue import Lease, at_risk, reassign
from tests.unit.domain.peer_review.queue_world import QueueWorld

LEARNERS = 300
K = 3
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SUBMISSION_DEADLINE = START + timedelta(days=3)
REVIEW_DEADLINE = SUBMISSION_DEADLINE + timedelta(days=7)
WARNING_WINDOW = timedelta(hours=48)
STEP = timedelta(hours=1)
ABANDON = 0.12  # chance a reviewer walks away from a lease


@dataclass
class Course:
    """The learners' behaviour around a :class:`QueueWorld`, driven by one seed."""

    willing_share: float
    rng: random.Random = field(default_factory=lambda: random.Random(20261102))  # noqa: S311
    world: QueueWorld = field(init=False)
    submit_at: dict[ParticipantId, datetime] = field(default_factory=dict)
    next_visit: dict[ParticipantId, datetime] = field(default_factory=dict)
    completed_by: Counter[ParticipantId] = field(default_factory=Counter)
    finishing: list[tuple[datetime, Lease]] = field(default_factory=list)
    willing: set[ParticipantId] = field(default_factory=set)
    abandoned: int = 0
    reassigned: int = 0
    ever_at_risk_near_deadline: set[SubmissionId] = field(default_factory=set)
    flagged_at_deadline: set[SubmissionId] = field(default_factory=set)

    def __post_init__(self) -> None:
        people = [ParticipantId(f"learner{n:03d}") for n in range(LEARNERS)]
        self.rng.shuffle(people)
        never_review, late = set(people[:45]), set(people[45:75])  # 15% and 10%
        groups = {person: f"team{n % 30}" for n, person in enumerate(people)}
        self.world = QueueWorld(START, GroupPolicy.AVOID_SAME_GROUP, groups)
        for person in people:
            if person in late:
                self.submit_at[person] = SUBMISSION_DEADLINE + self.hours(1, 60)
            else:
                self.submit_at[person] = START + self.hours(0, 71)
            if person not in never_review:
                self.next_visit[person] = self.submit_at[person] + self.hours(0, 96)

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def run(self) -> None:
        while self.world.now < REVIEW_DEADLINE + STEP:
            self.world.advance(STEP)
            self.arrivals()
            self.hand_ins()
            self.visits()
            self.check_dashboard()
            self.reassign_near_deadline()

    def arrivals(self) -> None:
        for person, moment in self.submit_at.items():
            if moment <= self.world.now and SubmissionId(f"work-of-{person}") not in (
                self.world.states
            ):
                self.world.submit(person)

    def hand_ins(self) -> None:
        due_now = [entry for entry in self.finishing if entry[0] <= self.world.now]
        for entry in sorted(due_now, key=lambda item: item[0]):
            self.finishing.remove(entry)
            if self.world.complete(entry[1]):
                self.completed_by[entry[1].reviewer] += 1

    def visits(self) -> None:
        busy = {lease.reviewer for _due, lease in self.finishing}
        for person, visit in list(self.next_visit.items()):
            if visit > self.world.now or self.submit_at[person] > self.world.now:
                continue
            if self.completed_by[person] >= K:
                del self.next_visit[person]
                if self.rng.random() < self.willing_share:
                    self.willing.add(person)  # done, and happy to review more
                continue
            self.next_visit[person] = self.world.now + self.hours(2, 30)
            if person in busy:
                continue
            lease = self.world.request(person)
            if lease is None:
                continue
            if self.rng.random() < ABANDON:
                self.abandoned += 1  # walks away; the lease has to run out
            else:
                self.finishing.append((self.world.now + self.hours(0.5, 10), lease))

    def check_dashboard(self) -> None:
        """The dashboard's promise, checked against the world's own books."""
        reported = {
            item.submission
            for item in at_risk(
                self.world.states.values(),
                k=K,
                now=self.world.now,
                review_deadline=REVIEW_DEADLINE,
                warning_window=WARNING_WINDOW,
            )
        }
        near = self.world.now >= REVIEW_DEADLINE - WARNING_WINDOW
        expected = {
            state.id
            for state in self.world.states.values()
            if state.completed_reviews < K
            and (near or state.completed_reviews + state.in_progress(self.world.now) < K)
        }
        assert reported == expected
        if near:
            self.ever_at_risk_near_deadline |= reported

    def reassign_near_deadline(self) -> None:
        if self.world.now < REVIEW_DEADLINE - WARNING_WINDOW:
            return
        load = {
            person: self.completed_by[person]
            + sum(1 for _due, lease in self.finishing if lease.reviewer == person)
            for person in self.willing
        }
        plan = reassign(
            self.world.states.values(),
            k=K,
            willing=load,
            reviewed_by=self.world.reviewed,
            policy=self.world.policy,
            groups=self.world.groups,
            now=self.world.now,
            review_deadline=REVIEW_DEADLINE,
            warning_window=WARNING_WINDOW,
            lease_duration=timedelta(hours=6),
        )
        self.flagged_at_deadline = {item.submission for item in plan.flagged}
        for lease in plan.leases:
            self.world.hand_out(lease)
            self.reassigned += 1
            self.finishing.append((self.world.now + self.hours(0.5, 5), lease))

    def short(self) -> set[SubmissionId]:
        return {state.id for state in self.world.states.values() if state.completed_reviews < K}


def test_with_enough_willing_reviewers_every_submission_gets_k_reviews() -> None:
    course = Course(willing_share=0.6)
    course.run()
    assert len(course.world.states) == LEARNERS  # late submitters joined the queue
    assert course.short() == set()
    # The course really was under strain: the engine had work to do.
    assert course.abandoned > 20
    assert course.reassigned > 20
    assert len(course.ever_at_risk_near_deadline) > 20
    assert len(course.willing) > 100


def test_without_willing_reviewers_every_short_submission_is_flagged_to_staff() -> None:
    course = Course(willing_share=0.0)
    course.run()
    assert course.reassigned == 0
    assert course.short()  # nobody to ask: some submissions end short...
    assert course.short() == course.flagged_at_deadline  # ...and staff were told
