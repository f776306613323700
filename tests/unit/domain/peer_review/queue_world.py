"""A small in-memory world around the review queue functions, as the database would be.

It keeps each submission's state, who reviewed what and every lease ever granted, and
checks the queue's promises as it goes: never one's own work, never the same pair twice.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from lti_tool.domain.peer_review.model import GroupPolicy, ParticipantId, SubmissionId
from lti_tool.domain.peer_review.review_queue import (
    DEFAULT_LEASE,
    Lease,
    SubmissionState,
    grant_lease,
    pick_next,
)


@dataclasses.dataclass
class QueueWorld:
    now: datetime
    policy: GroupPolicy = GroupPolicy.NONE
    groups: dict[ParticipantId, str] = dataclasses.field(default_factory=dict)
    states: dict[SubmissionId, SubmissionState] = dataclasses.field(default_factory=dict)
    reviewed: dict[ParticipantId, set[SubmissionId]] = dataclasses.field(default_factory=dict)
    granted: set[tuple[ParticipantId, SubmissionId]] = dataclasses.field(default_factory=set)

    def submit(self, author: ParticipantId) -> SubmissionId:
        submission = SubmissionId(f"work-of-{author}")
        self.states[submission] = SubmissionState(
            submission, author, self.groups.get(author), self.now, 0
        )
        return submission

    def request(self, reviewer: ParticipantId, duration: timedelta = DEFAULT_LEASE) -> Lease | None:
        chosen = pick_next(
            reviewer,
            self.states.values(),
            policy=self.policy,
            groups=self.groups,
            already_reviewed_by_reviewer=self.reviewed.get(reviewer, set()),
            now=self.now,
        )
        if chosen is None:
            return None
        return self.hand_out(grant_lease(reviewer, chosen, now=self.now, duration=duration))

    def hand_out(self, lease: Lease) -> Lease:
        state = self.states[lease.submission]
        assert state.author != lease.reviewer, "own work handed out"
        # The same pair twice: a review already done, or a lease already held. (A lease
        # that ran out may go back to the same reviewer: they did not review it.)
        assert lease.submission not in self.reviewed.get(lease.reviewer, set())
        assert not state.held_by(lease.reviewer, self.now)
        self.granted.add((lease.reviewer, lease.submission))
        self.states[lease.submission] = dataclasses.replace(
            state, active_leases=(*state.active_leases, lease)
        )
        return lease

    def complete(self, lease: Lease) -> bool:
        """Submit the review; refused (False) once the lease has run out."""
        if lease.expired(self.now):
            return False
        state = self.states[lease.submission]
        self.states[lease.submission] = dataclasses.replace(
            state,
            completed_reviews=state.completed_reviews + 1,
            active_leases=tuple(held for held in state.active_leases if held != lease),
        )
        self.reviewed.setdefault(lease.reviewer, set()).add(lease.submission)
        return True

    def advance(self, step: timedelta) -> None:
        """Move the clock on and drop leases that ran out (the database's sweep)."""
        self.now += step
        for submission, state in self.states.items():
            live = tuple(lease for lease in state.active_leases if not lease.expired(self.now))
            if live != state.active_leases:
                self.states[submission] = dataclasses.replace(state, active_leases=live)
