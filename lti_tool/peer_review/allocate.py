"""Balanced allocation of a peer review activity, run on demand by staff or by the worker
once the submission deadline has passed; self-reviews are added when the activity asks."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.errors import PeerlearnError
from lti_tool.domain.peer_review.allocation import allocate_balanced
from lti_tool.domain.peer_review.model import Allocation as Pair
from lti_tool.domain.peer_review.model import GroupPolicy, ParticipantId, SubmissionId
from lti_tool.domain.peer_review.settings import AllocationMode, PeerReviewSettings
from lti_tool.domain.peer_review.settings import GroupPolicy as SettingsGroupPolicy
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review.activity_statements import WAS_ASSIGNED, record_about_activity
from lti_tool.peer_review.grading import ensure_phase, phase
from lti_tool.peer_review.tally import recount
from lti_tool.persistence.db import lock_rows
from lti_tool.persistence.models import Activity
from lti_tool.persistence.peer_review_models import Allocation, ReviewPhase, Submission

POLICIES = {
    SettingsGroupPolicy.NONE: GroupPolicy.NONE,
    SettingsGroupPolicy.AVOID_OWN_GROUP: GroupPolicy.AVOID_SAME_GROUP,
    SettingsGroupPolicy.WITHIN_GROUP: GroupPolicy.SAME_GROUP_ONLY,
}


class AllocationRefused(PeerlearnError):
    code = "allocation_refused"
    status = 409
    title = "Reviews cannot be allocated now"
    advice = "Wait for submissions, or check the activity's allocation mode."


def allocate(
    connection: Connection,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    now: datetime,
    seed: int | None = None,
    recorder: Recorder | None = None,
) -> list[str]:
    """Allocate every submission not yet fully allocated; returns what was relaxed.

    Running it again (a late submission, a new reviewer) keeps every allocation made so
    far and only adds what is missing.
    """
    if settings.allocation is not AllocationMode.BALANCED:
        raise AllocationRefused(
            "This activity hands out work as reviewers ask for it.", code="queue_mode"
        )
    # Allocations sent twice at once run one after the other: the second adds nothing.
    lock_rows(connection, Activity, Activity.id == activity.id)
    rows = connection.execute(
        select(Submission.id, Submission.author_id, Submission.group_key).where(
            Submission.activity_id == activity.id
        )
    ).all()
    if len(rows) < 2:
        raise AllocationRefused("At least two submissions are needed.", code="too_few")
    ensure_phase(connection, activity.id)
    found = phase(connection, activity.id)
    chosen_seed = (
        seed if seed is not None else (found and found.allocation_seed) or (secrets.randbits(31))
    )
    submissions = {SubmissionId(str(row.id)): ParticipantId(str(row.author_id)) for row in rows}
    groups = {ParticipantId(str(row.author_id)): row.group_key for row in rows if row.group_key}
    existing = [
        Pair(ParticipantId(str(row.reviewer_id)), SubmissionId(str(row.submission_id)))
        for row in connection.execute(
            select(Allocation.reviewer_id, Allocation.submission_id).where(
                Allocation.activity_id == activity.id,
                Allocation.kind == "peer",
                Allocation.state != "removed",
            )
        )
    ]
    result = allocate_balanced(
        submissions,
        None,
        settings.reviews_per_submission,
        groups=groups or None,
        policy=POLICIES[settings.group_policy],
        seed=int(chosen_seed),
        existing=existing,
    )
    # A pair staff removed by hand keeps its (unique) row: assigning it again revives it.
    removed = {
        (row.reviewer_id, row.submission_id): row.id
        for row in connection.execute(
            select(Allocation.id, Allocation.reviewer_id, Allocation.submission_id).where(
                Allocation.activity_id == activity.id, Allocation.state == "removed"
            )
        )
    }
    keys = [(int(pair.reviewer), int(pair.submission)) for pair in result.added]
    revived = [removed[key] for key in keys if key in removed]
    fresh = [pair for pair, key in zip(result.added, keys, strict=True) if key not in removed]
    if revived:
        connection.execute(
            update(Allocation)
            .where(Allocation.id.in_(revived))
            .values(kind="peer", source="balanced", state="assigned", assigned_at=now)
        )
    if fresh:
        connection.execute(
            insert(Allocation),
            [
                {
                    "activity_id": activity.id,
                    "submission_id": int(pair.submission),
                    "reviewer_id": int(pair.reviewer),
                    "kind": "peer",
                    "source": "balanced",
                    "state": "assigned",
                    "assigned_at": now,
                }
                for pair in fresh
            ],
        )
    recount(connection, {int(pair.submission) for pair in result.added})
    if recorder is not None and result.added:
        added = {(int(pair.reviewer), int(pair.submission)) for pair in result.added}
        for row in connection.execute(
            select(Allocation.id, Allocation.reviewer_id, Allocation.submission_id).where(
                Allocation.activity_id == activity.id, Allocation.kind == "peer"
            )
        ):
            if (row.reviewer_id, row.submission_id) in added:
                record_about_activity(
                    recorder,
                    connection,
                    activity.id,
                    row.reviewer_id,
                    WAS_ASSIGNED,
                    submission_pk=row.submission_id,
                    allocation_pk=row.id,
                    at=now,
                )
    if settings.self_review:
        _add_self_reviews(connection, activity.id, now)
    report = [item.reason for item in result.relaxed]
    connection.execute(
        update(ReviewPhase)
        .where(ReviewPhase.activity_id == activity.id)
        .values(allocated_at=now, allocation_seed=int(chosen_seed), allocation_report=report)
    )
    return report


def _add_self_reviews(connection: Connection, activity_id: int, now: datetime) -> None:
    have = set(
        connection.scalars(
            select(Allocation.submission_id).where(
                Allocation.activity_id == activity_id, Allocation.kind == "self"
            )
        )
    )
    missing = [
        row
        for row in connection.execute(
            select(Submission.id, Submission.author_id).where(Submission.activity_id == activity_id)
        )
        if row.id not in have
    ]
    if missing:
        connection.execute(
            insert(Allocation),
            [
                {
                    "activity_id": activity_id,
                    "submission_id": row.id,
                    "reviewer_id": row.author_id,
                    "kind": "self",
                    "source": "balanced",
                    "state": "assigned",
                    "assigned_at": now,
                }
                for row in missing
            ],
        )
