"""Staff edit the allocation by hand: add a reviewer, remove an allocation, swap two.

Each change is checked by :func:`~lti_tool.domain.peer_review.manual.check_manual_change`
against the state in the database (self-review, duplicates, the group policy, reviews
already completed) and applied in the caller's transaction, or refused whole with every
violation named. A removed allocation keeps its row (``state="removed"``), and any draft
review with it; adding the same pair again revives that row. New allocations have
``source="manual"`` and a ``was-assigned`` statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.errors import NotFound, PeerlearnError
from lti_tool.domain.peer_review.manual import (
    AddAllocation,
    ManualChange,
    RemoveAllocation,
    SwapReviewers,
    Violation,
    ViolationCode,
    apply_manual_change,
    check_manual_change,
)
from lti_tool.domain.peer_review.model import Allocation as Pair
from lti_tool.domain.peer_review.model import ParticipantId, SubmissionId
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review.activity_statements import WAS_ASSIGNED, record_about_activity
from lti_tool.peer_review.allocate import POLICIES
from lti_tool.peer_review.audit import record_change
from lti_tool.peer_review.tally import recount
from lti_tool.persistence.models import Membership
from lti_tool.persistence.peer_review_models import Allocation, Submission

# Violations of the current state (409); the others are a request against the rules (422).
_CONFLICTS = frozenset(
    {ViolationCode.DUPLICATE, ViolationCode.NOT_ALLOCATED, ViolationCode.REVIEW_COMPLETED}
)
_EXPLAINED = {
    ViolationCode.UNKNOWN_SUBMISSION: "There is no such submission in this activity.",
    ViolationCode.UNKNOWN_REVIEWER: "{reviewer} is not a learner of this course.",
    ViolationCode.SELF_REVIEW: "{reviewer} wrote this submission and cannot peer review it.",
    ViolationCode.DUPLICATE: "{reviewer} already reviews this submission.",
    ViolationCode.NOT_ALLOCATED: "{reviewer} does not review this submission.",
    ViolationCode.REVIEW_COMPLETED: (
        "{reviewer} has completed this review already; a completed review stays."
    ),
    ViolationCode.GROUP_POLICY: (
        "{reviewer} and the author break the activity's group rule ({policy}); tick "
        '"allow despite the group rule" to do it anyway.'
    ),
}


class AllocationChangeRefused(PeerlearnError):
    code = "allocation_change_refused"
    status = 409
    title = "This change to the reviewers was refused"
    advice = "Nothing was changed. Go back to the dashboard and choose another change."

    def __init__(self, violations: Sequence[Violation], messages: Sequence[str]) -> None:
        super().__init__(" ".join(messages), code=violations[0].code.value)
        self.violations = tuple(violations)
        if any(item.code not in _CONFLICTS for item in violations):
            self.status = 422


@dataclass(frozen=True)
class _State:
    current: frozenset[Pair]
    completed: frozenset[Pair]
    ids: dict[Pair, int]  # live allocation rows by pair
    submissions: dict[SubmissionId, ParticipantId]
    groups: dict[ParticipantId, str]
    reviewers: frozenset[ParticipantId]


def _pair(reviewer_id: int, submission_id: int) -> Pair:
    return Pair(ParticipantId(str(reviewer_id)), SubmissionId(str(submission_id)))


def _load(connection: Connection, activity: PlacedActivity) -> _State:
    rows = connection.execute(
        select(Submission.id, Submission.author_id, Submission.group_key).where(
            Submission.activity_id == activity.id
        )
    ).all()
    live = connection.execute(
        select(Allocation.id, Allocation.reviewer_id, Allocation.submission_id, Allocation.state)
        .where(
            Allocation.activity_id == activity.id,
            Allocation.kind == "peer",
            Allocation.state != "removed",
        )
        .with_for_update()
    ).all()
    learners = connection.scalars(
        select(Membership.user_id).where(
            Membership.context_id == activity.context_id,
            Membership.course_role == "learner",
            Membership.status != "Deleted",
        )
    )
    ids = {_pair(row.reviewer_id, row.submission_id): row.id for row in live}
    return _State(
        current=frozenset(ids),
        completed=frozenset(
            _pair(row.reviewer_id, row.submission_id) for row in live if row.state == "completed"
        ),
        ids=ids,
        submissions={SubmissionId(str(r.id)): ParticipantId(str(r.author_id)) for r in rows},
        groups={ParticipantId(str(r.author_id)): r.group_key for r in rows if r.group_key},
        reviewers=frozenset(ParticipantId(str(person)) for person in learners)
        | frozenset(ParticipantId(str(r.author_id)) for r in rows),
    )


def _allocation(state: _State, allocation_id: int) -> Pair:
    for pair, found in state.ids.items():
        if found == allocation_id:
            return pair
    raise NotFound("There is no such reviewer allocation here.", code="allocation_not_found")


@dataclass(frozen=True)
class StaffEdit:
    """Who edits which activity, and how: shared by the three kinds of change."""

    activity: PlacedActivity
    settings: PeerReviewSettings
    staff_id: int
    names: Mapping[int, str]  # for readable refusals
    now: datetime
    allow_group_override: bool = False
    recorder: Recorder | None = None


def add_reviewer(
    connection: Connection, edit: StaffEdit, *, submission_id: int, reviewer_id: int
) -> None:
    """Give ``reviewer_id`` the submission to review."""
    _apply(connection, edit, lambda _state: AddAllocation(_pair(reviewer_id, submission_id)))


def remove_allocation(connection: Connection, edit: StaffEdit, *, allocation_id: int) -> None:
    """Take a review away from its reviewer (not once it is completed)."""
    _apply(connection, edit, lambda state: RemoveAllocation(_allocation(state, allocation_id)))


def swap_reviewers(
    connection: Connection, edit: StaffEdit, *, first_id: int, second_id: int
) -> None:
    """The reviewers of two allocations trade submissions."""
    _apply(
        connection,
        edit,
        lambda state: SwapReviewers(_allocation(state, first_id), _allocation(state, second_id)),
    )


def _apply(
    connection: Connection, edit: StaffEdit, build: Callable[[_State], ManualChange]
) -> None:
    """Check the change ``build(state)`` makes and apply it, or refuse it whole."""
    activity, settings, now, recorder = edit.activity, edit.settings, edit.now, edit.recorder
    allow_group_override, names, staff_id = edit.allow_group_override, edit.names, edit.staff_id
    state = _load(connection, activity)
    change = build(state)
    policy = POLICIES[settings.group_policy]
    violations = check_manual_change(
        state.current,
        change,
        submissions=state.submissions,
        groups=state.groups,
        policy=policy,
        completed=state.completed,
        reviewers=state.reviewers,
    )
    if allow_group_override:
        violations = [item for item in violations if not item.overridable]
    if violations:
        messages = [
            _EXPLAINED[item.code].format(
                reviewer=names.get(int(item.allocation.reviewer), "That person"),
                policy=settings.group_policy.value,
            )
            for item in violations
        ]
        raise AllocationChangeRefused(violations, messages)
    after = apply_manual_change(state.current, change)
    removed = state.current - after
    added = after - state.current
    if removed:
        connection.execute(
            update(Allocation)
            .where(Allocation.id.in_([state.ids[pair] for pair in removed]))
            .values(state="removed", lease_expires_at=None)
        )
    for pair in sorted(added, key=lambda p: (p.submission, p.reviewer)):
        allocation_id = _assign(connection, activity.id, pair, now)
        if recorder is not None:
            record_about_activity(
                recorder,
                connection,
                activity.id,
                int(pair.reviewer),
                WAS_ASSIGNED,
                submission_pk=int(pair.submission),
                allocation_pk=allocation_id,
                at=now,
            )
    recount(connection, {int(pair.submission) for pair in removed | added})
    record_change(
        connection,
        activity_id=activity.id,
        changed_by=staff_id,
        at=now,
        changes={
            "allocation": {
                "change": type(change).__name__,
                "removed": sorted([int(p.reviewer), int(p.submission)] for p in removed),
                "added": sorted([int(p.reviewer), int(p.submission)] for p in added),
                "group_rule_overridden": allow_group_override,
            }
        },
    )


def _assign(connection: Connection, activity_id: int, pair: Pair, now: datetime) -> int:
    values = {
        "kind": "peer",
        "source": "manual",
        "state": "assigned",
        "assigned_at": now,
        "lease_expires_at": None,
        "completed_at": None,
    }
    found = connection.execute(
        select(Allocation.id).where(
            Allocation.submission_id == int(pair.submission),
            Allocation.reviewer_id == int(pair.reviewer),
        )
    ).scalar_one_or_none()
    if found is not None:  # removed earlier: the (submission, reviewer) row is unique
        connection.execute(update(Allocation).where(Allocation.id == found).values(**values))
        return found
    return connection.execute(
        insert(Allocation)
        .values(
            activity_id=activity_id,
            submission_id=int(pair.submission),
            reviewer_id=int(pair.reviewer),
            **values,
        )
        .returning(Allocation.id)
    ).scalar_one()
