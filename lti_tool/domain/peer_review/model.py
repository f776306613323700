"""The vocabulary of peer review allocation: who reviews what, and which groups may meet."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NewType

# Ids arrive from the database as strings or integers; callers pass ``str(id)`` so that
# every id sorts and hashes the same way and results do not depend on row order.
ParticipantId = NewType("ParticipantId", str)
SubmissionId = NewType("SubmissionId", str)


class GroupPolicy(enum.StrEnum):
    """Whether reviewers may come from the author's group.

    Participants without a group never conflict under ``avoid_same_group``; under
    ``same_group_only`` they form one group of their own (the ungrouped people).
    """

    NONE = "none"
    AVOID_SAME_GROUP = "avoid_same_group"
    SAME_GROUP_ONLY = "same_group_only"


class InvalidAllocationRequest(ValueError):
    """An allocation asked for with inputs that make no sense; the message says which."""


@dataclass(frozen=True, slots=True)
class Allocation:
    """``reviewer`` reviews ``submission`` (whose author the caller's mapping knows)."""

    reviewer: ParticipantId
    submission: SubmissionId


def group_allows(
    policy: GroupPolicy, *, author_group: str | None, reviewer_group: str | None
) -> bool:
    """Whether ``policy`` lets someone from ``reviewer_group`` review ``author_group``'s work."""
    if policy is GroupPolicy.AVOID_SAME_GROUP:
        return author_group is None or reviewer_group is None or author_group != reviewer_group
    if policy is GroupPolicy.SAME_GROUP_ONLY:
        return author_group == reviewer_group
    return True


def group_of(groups: Mapping[ParticipantId, str] | None, person: ParticipantId) -> str | None:
    """``person``'s group, or None when they have none (or nobody has groups)."""
    return None if groups is None else groups.get(person)
