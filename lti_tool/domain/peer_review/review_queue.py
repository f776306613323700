"""The continuous review queue: work handed out one submission at a time, under leases.

Pure functions over plain state that the persistence layer loads: a reviewer asking for
work gets the eligible submission with the fewest completed + in-progress reviews (then
the oldest); a lease that runs out returns the submission to the pool; near the review
deadline, short submissions go to willing reviewers, and what is left is flagged to staff.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from lti_tool.domain.peer_review.model import (
    GroupPolicy,
    ParticipantId,
    SubmissionId,
    group_allows,
    group_of,
)

DEFAULT_LEASE = timedelta(hours=24)


@dataclass(frozen=True)
class Lease:
    """``reviewer`` holds ``submission`` until ``expires_at``; then it is free again.

    ``reassigned`` marks a lease given to a willing reviewer near the deadline.
    """

    reviewer: ParticipantId
    submission: SubmissionId
    granted_at: datetime
    expires_at: datetime
    reassigned: bool = False

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def grant_lease(
    reviewer: ParticipantId,
    submission: SubmissionId,
    *,
    now: datetime,
    duration: timedelta = DEFAULT_LEASE,
    review_deadline: datetime | None = None,
    reassigned: bool = False,
) -> Lease:
    """A lease from ``now``; it never outlives the review deadline, when one is given."""
    expires_at = now + duration
    if review_deadline is not None:
        expires_at = min(expires_at, review_deadline)
    return Lease(reviewer, submission, now, expires_at, reassigned)


@dataclass(frozen=True)
class SubmissionState:
    """A submission as the queue sees it. ``active_leases`` may include expired ones."""

    id: SubmissionId
    author: ParticipantId
    group: str | None
    submitted_at: datetime
    completed_reviews: int
    active_leases: tuple[Lease, ...] = ()

    def in_progress(self, now: datetime) -> int:
        """Reviews under a lease that has not run out."""
        return sum(1 for lease in self.active_leases if not lease.expired(now))

    def held_by(self, reviewer: ParticipantId, now: datetime) -> bool:
        return any(
            lease.reviewer == reviewer and not lease.expired(now) for lease in self.active_leases
        )


def eligible(
    reviewer: ParticipantId,
    submission: SubmissionState,
    *,
    policy: GroupPolicy,
    groups: Mapping[ParticipantId, str] | None,
    already_reviewed_by_reviewer: Collection[SubmissionId],
    now: datetime,
) -> bool:
    """Not their own, not reviewed or held by them already, and the group policy allows."""
    return (
        submission.author != reviewer
        and submission.id not in already_reviewed_by_reviewer
        and not submission.held_by(reviewer, now)
        and group_allows(
            policy, author_group=submission.group, reviewer_group=group_of(groups, reviewer)
        )
    )


def pick_next(
    reviewer: ParticipantId,
    candidates: Iterable[SubmissionState],
    *,
    policy: GroupPolicy,
    groups: Mapping[ParticipantId, str] | None,
    already_reviewed_by_reviewer: Collection[SubmissionId],
    now: datetime,
) -> SubmissionId | None:
    """The eligible submission with the fewest completed + in-progress reviews; ties go to
    the oldest submitted, then the smallest id. None when nothing is eligible."""
    best: tuple[int, datetime, SubmissionId] | None = None
    for submission in candidates:
        if not eligible(
            reviewer,
            submission,
            policy=policy,
            groups=groups,
            already_reviewed_by_reviewer=already_reviewed_by_reviewer,
            now=now,
        ):
            continue
        key = (
            submission.completed_reviews + submission.in_progress(now),
            submission.submitted_at,
            submission.id,
        )
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


class RiskReason(enum.StrEnum):
    NOT_ENOUGH_UNDER_WAY = "not_enough_under_way"  # even if every lease is completed
    DEADLINE_NEAR = "deadline_near"  # inside the warning window, still short


@dataclass(frozen=True)
class AtRisk:
    """A submission that may end the review period with fewer than ``k`` reviews."""

    submission: SubmissionId
    completed: int
    in_progress: int
    missing: int  # reviews nobody is working on yet: k - completed - in_progress, >= 0
    reason: RiskReason


def at_risk(
    submissions: Iterable[SubmissionState],
    *,
    k: int,
    now: datetime,
    review_deadline: datetime,
    warning_window: timedelta,
) -> tuple[AtRisk, ...]:
    """Submissions short of ``k`` completed reviews that the staff dashboard should list.

    Before the warning window: those whose completed + live leases cannot reach ``k``.
    Inside it (and after the deadline): every one with fewer than ``k`` completed.
    Most missing first, then oldest.
    """
    near = now >= review_deadline - warning_window
    found: list[tuple[int, datetime, SubmissionId, AtRisk]] = []
    for submission in submissions:
        if submission.completed_reviews >= k:
            continue
        under_way = submission.in_progress(now)
        missing = max(0, k - submission.completed_reviews - under_way)
        if not near and missing == 0:
            continue
        reason = RiskReason.DEADLINE_NEAR if near else RiskReason.NOT_ENOUGH_UNDER_WAY
        item = AtRisk(submission.id, submission.completed_reviews, under_way, missing, reason)
        found.append((-missing, submission.submitted_at, submission.id, item))
    found.sort(key=lambda entry: entry[:3])
    return tuple(entry[3] for entry in found)


@dataclass(frozen=True)
class Reassignment:
    """New leases for willing reviewers, and the at-risk submissions left for staff
    (``missing`` then counts the reviews nobody could be asked for)."""

    leases: tuple[Lease, ...]
    flagged: tuple[AtRisk, ...]


def reassign(
    submissions: Iterable[SubmissionState],
    *,
    k: int,
    willing: Mapping[ParticipantId, int],
    reviewed_by: Mapping[ParticipantId, Collection[SubmissionId]],
    policy: GroupPolicy,
    groups: Mapping[ParticipantId, str] | None,
    now: datetime,
    review_deadline: datetime,
    warning_window: timedelta,
    lease_duration: timedelta = DEFAULT_LEASE,
    preferred: Collection[ParticipantId] = frozenset(),
) -> Reassignment:
    """Cover the reviews missing from at-risk submissions with willing reviewers.

    Args:
        willing: who may be asked (:func:`~lti_tool.domain.peer_review.willing.
            willing_reviewers`), with their current load (reviews done + held).
        reviewed_by: what each willing reviewer has already reviewed.
        preferred: the explicit volunteers among ``willing``: asked before the others;
            within each, the least loaded first.

    Near the deadline ordinary leases are not trusted (a reviewer who walked away keeps
    one until it runs out, maybe too late): what is covered is ``k`` minus completed
    reviews minus live *reassigned* leases, so a submission may end with one review more
    than ``k``, never with one fewer for want of asking. A reassigned lease that runs out
    is covered again at the next call. A submission still missing reviews after that, or
    short and past the deadline, is flagged, so staff see it.
    """
    states = {state.id: state for state in submissions}
    load = dict(willing)
    leases: list[Lease] = []
    flagged: list[AtRisk] = []
    for risk in at_risk(
        states.values(),
        k=k,
        now=now,
        review_deadline=review_deadline,
        warning_window=warning_window,
    ):
        state = states[risk.submission]
        covered = sum(
            1 for lease in state.active_leases if lease.reassigned and not lease.expired(now)
        )
        if now >= review_deadline:  # too late to ask anyone: staff decide
            flagged.append(dataclasses.replace(risk, missing=k - state.completed_reviews))
            continue
        missing = max(0, k - state.completed_reviews - covered)
        chosen: set[ParticipantId] = set()
        order = sorted(load, key=lambda person: (person not in preferred, load[person], person))
        for reviewer in order:
            if missing == 0:
                break
            if reviewer in chosen or not eligible(
                reviewer,
                state,
                policy=policy,
                groups=groups,
                already_reviewed_by_reviewer=reviewed_by.get(reviewer, ()),
                now=now,
            ):
                continue
            chosen.add(reviewer)
            load[reviewer] += 1
            missing -= 1
            leases.append(
                grant_lease(
                    reviewer,
                    state.id,
                    now=now,
                    duration=lease_duration,
                    review_deadline=review_deadline,
                    reassigned=True,
                )
            )
        if missing:
            flagged.append(dataclasses.replace(risk, missing=missing))
    return Reassignment(tuple(leases), tuple(flagged))
