"""Allocations staff add, remove or swap by hand, checked against the same rules.

Each check returns every violation, not just the first, so the page can show them all.
Group-policy violations may be overridden by staff (``overridable``); the others may not.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from lti_tool.domain.peer_review.model import (
    Allocation,
    GroupPolicy,
    ParticipantId,
    SubmissionId,
    group_allows,
    group_of,
)


@dataclass(frozen=True)
class AddAllocation:
    allocation: Allocation


@dataclass(frozen=True)
class RemoveAllocation:
    allocation: Allocation


@dataclass(frozen=True)
class SwapReviewers:
    """``first``'s reviewer takes ``second``'s submission, and the other way round."""

    first: Allocation
    second: Allocation

    def result(self) -> tuple[Allocation, Allocation]:
        return (
            Allocation(self.second.reviewer, self.first.submission),
            Allocation(self.first.reviewer, self.second.submission),
        )


ManualChange = AddAllocation | RemoveAllocation | SwapReviewers


class ViolationCode(enum.StrEnum):
    UNKNOWN_SUBMISSION = "unknown_submission"
    UNKNOWN_REVIEWER = "unknown_reviewer"
    SELF_REVIEW = "self_review"
    DUPLICATE = "duplicate"
    NOT_ALLOCATED = "not_allocated"
    REVIEW_COMPLETED = "review_completed"
    GROUP_POLICY = "group_policy"


@dataclass(frozen=True)
class Violation:
    code: ViolationCode
    message: str
    allocation: Allocation
    overridable: bool = False


def apply_manual_change(
    current: Iterable[Allocation], change: ManualChange
) -> frozenset[Allocation]:
    """The allocations after ``change`` (check it first with :func:`check_manual_change`)."""
    after = set(current)
    if isinstance(change, AddAllocation):
        after.add(change.allocation)
    elif isinstance(change, RemoveAllocation):
        after.discard(change.allocation)
    else:
        after -= {change.first, change.second}
        after.update(change.result())
    return frozenset(after)


def check_manual_change(
    current: Iterable[Allocation],
    change: ManualChange,
    *,
    submissions: Mapping[SubmissionId, ParticipantId],
    groups: Mapping[ParticipantId, str] | None = None,
    policy: GroupPolicy = GroupPolicy.NONE,
    completed: Collection[Allocation] = (),
    reviewers: Collection[ParticipantId] | None = None,
) -> list[Violation]:
    """Everything wrong with applying ``change`` to ``current``; empty when it is fine.

    Args:
        submissions: each submission and its author.
        completed: allocations whose review is already done: they cannot be moved.
        reviewers: who may review, when the activity restricts it; None: anyone.
    """
    present = set(current)
    removed: list[Allocation] = []
    created: list[Allocation] = []
    if isinstance(change, AddAllocation):
        created.append(change.allocation)
    elif isinstance(change, RemoveAllocation):
        removed.append(change.allocation)
    else:
        removed.extend((change.first, change.second))
        created.extend(change.result())
    violations: list[Violation] = []
    for pair in removed:
        if pair not in present:
            violations.append(
                Violation(
                    ViolationCode.NOT_ALLOCATED,
                    f"{pair.reviewer} is not allocated {pair.submission}.",
                    pair,
                )
            )
        elif pair in completed:
            violations.append(
                Violation(
                    ViolationCode.REVIEW_COMPLETED,
                    f"{pair.reviewer} has already completed the review of {pair.submission}.",
                    pair,
                )
            )
    remaining = present.difference(removed)
    for pair in created:
        violations.extend(
            _check_new_pair(
                pair,
                remaining,
                submissions=submissions,
                groups=groups,
                policy=policy,
                reviewers=reviewers,
            )
        )
        remaining.add(pair)
    return violations


def _check_new_pair(
    pair: Allocation,
    remaining: set[Allocation],
    *,
    submissions: Mapping[SubmissionId, ParticipantId],
    groups: Mapping[ParticipantId, str] | None,
    policy: GroupPolicy,
    reviewers: Collection[ParticipantId] | None,
) -> list[Violation]:
    if pair.submission not in submissions:
        return [
            Violation(
                ViolationCode.UNKNOWN_SUBMISSION, f"There is no submission {pair.submission}.", pair
            )
        ]
    found: list[Violation] = []
    if reviewers is not None and pair.reviewer not in reviewers:
        found.append(
            Violation(
                ViolationCode.UNKNOWN_REVIEWER,
                f"{pair.reviewer} is not among this activity's reviewers.",
                pair,
            )
        )
    author = submissions[pair.submission]
    if author == pair.reviewer:
        found.append(
            Violation(
                ViolationCode.SELF_REVIEW,
                f"{pair.reviewer} wrote {pair.submission}: self-review is set separately.",
                pair,
            )
        )
    if pair in remaining:
        found.append(
            Violation(
                ViolationCode.DUPLICATE,
                f"{pair.reviewer} is already allocated {pair.submission}.",
                pair,
            )
        )
    if not group_allows(
        policy,
        author_group=group_of(groups, author),
        reviewer_group=group_of(groups, pair.reviewer),
    ):
        found.append(
            Violation(
                ViolationCode.GROUP_POLICY,
                f"{pair.reviewer} and the author of {pair.submission} break the group "
                f"policy ({policy.value}).",
                pair,
                overridable=True,
            )
        )
    return found
