"""The continuous review queue: a reviewer asks for work and gets the submission that
needs a review most (:func:`~lti_tool.domain.peer_review.review_queue.pick_next`), under
a lease; leases that run out free the submission for someone else."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, func, insert, or_, select, update

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.errors import PeerlearnError
from lti_tool.domain.peer_review.model import GroupPolicy, ParticipantId, SubmissionId
from lti_tool.domain.peer_review.review_queue import (
    AtRisk,
    Lease,
    SubmissionState,
    at_risk,
    grant_lease,
)
from lti_tool.domain.peer_review.settings import AllocationMode, PeerReviewSettings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review.activity_statements import WAS_ASSIGNED, record_about_activity
from lti_tool.peer_review.allocate import POLICIES
from lti_tool.peer_review.tally import OPEN_STATES, recount
from lti_tool.persistence.peer_review_models import Allocation, Submission


class QueueRefused(PeerlearnError):
    code = "queue_refused"
    status = 409
    title = "No work can be handed out now"
    advice = "Come back later: work is handed out as classmates submit."


def expire_leases(connection: Connection, *, activity_id: int, now: datetime) -> None:
    """Leases that ran out give their submission back to the pool."""
    expired = connection.execute(
        update(Allocation)
        .where(
            Allocation.activity_id == activity_id,
            Allocation.source == "queue",
            Allocation.state.in_(OPEN_STATES),
            Allocation.lease_expires_at <= now,
        )
        .values(state="expired")
        .returning(Allocation.submission_id)
    ).scalars()
    recount(connection, list(expired))


def take_next(
    connection: Connection,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    reviewer_id: int,
    now: datetime,
    recorder: Recorder | None = None,
) -> int | None:
    """Lease the next submission to ``reviewer_id``; returns the allocation id, or None
    when nothing is eligible right now."""
    if settings.allocation is not AllocationMode.QUEUE:
        raise QueueRefused("Reviews of this activity are allocated by staff.", code="balanced")
    if settings.reviews_due is not None and now > settings.reviews_due:
        raise QueueRefused("The review deadline has passed.", code="reviews_closed")
    expire_leases(connection, activity_id=activity.id, now=now)
    mine = connection.execute(
        select(Allocation.submission_id, Allocation.state).where(
            Allocation.activity_id == activity.id, Allocation.reviewer_id == reviewer_id
        )
    ).all()
    if any(row.state in OPEN_STATES for row in mine):
        raise QueueRefused(
            "Finish the review you have before taking another.", code="one_at_a_time"
        )
    own = connection.execute(
        select(Submission.id, Submission.group_key).where(
            Submission.activity_id == activity.id, Submission.author_id == reviewer_id
        )
    ).one_or_none()
    if own is None:
        raise QueueRefused("Submit your own work first.", code="submit_first")
    chosen = pick_in_database(
        connection,
        activity_id=activity.id,
        reviewer_id=reviewer_id,
        reviewer_group=own.group_key,
        policy=POLICIES[settings.group_policy],
    )
    if chosen is None:
        return None
    lease = grant_lease(
        ParticipantId(str(reviewer_id)), chosen, now=now, review_deadline=settings.reviews_due
    )
    allocation_id = connection.execute(
        insert(Allocation)
        .values(
            activity_id=activity.id,
            submission_id=int(chosen),
            reviewer_id=reviewer_id,
            kind="peer",
            source="queue",
            state="assigned",
            assigned_at=now,
            lease_expires_at=lease.expires_at,
        )
        .returning(Allocation.id)
    ).scalar_one()
    recount(connection, [int(chosen)])
    if recorder is not None:
        record_about_activity(
            recorder,
            connection,
            activity.id,
            reviewer_id,
            WAS_ASSIGNED,
            submission_pk=int(chosen),
            allocation_pk=allocation_id,
            at=now,
        )
    return int(allocation_id)


WARNING_WINDOW = timedelta(hours=24)
NO_DEADLINE = timedelta(days=7)


def submissions_at_risk(
    connection: Connection, *, activity_id: int, settings: PeerReviewSettings, now: datetime
) -> dict[int, AtRisk]:
    """Submissions that may end with fewer than ``k`` reviews, for the staff dashboard.

    Work allocated by staff counts as under way until the deadline; queue work only while
    its lease lasts. Within a day of the review deadline, any submission still short is
    listed.
    """
    deadline = settings.reviews_due or settings.submissions_due + NO_DEADLINE
    states = submission_states(connection, activity_id, open_until=deadline)
    found = at_risk(
        states,
        k=settings.reviews_per_submission,
        now=now,
        review_deadline=deadline,
        warning_window=WARNING_WINDOW,
    )
    return {int(item.submission): item for item in found}


def pick_in_database(
    connection: Connection,
    *,
    activity_id: int,
    reviewer_id: int,
    reviewer_group: str | None,
    policy: GroupPolicy,
) -> SubmissionId | None:
    """:func:`~lti_tool.domain.peer_review.review_queue.pick_next`'s rule as one query:
    the eligible submission with the fewest completed reviews and live leases, then the
    oldest, then the smallest id (the tests check both agree)."""
    # ``reviews_under_way`` counts open allocations until expire_leases (which runs
    # first) closes those whose lease ran out: then it is the rule's count exactly.
    mine = select(Allocation.id).where(
        Allocation.submission_id == Submission.id, Allocation.reviewer_id == reviewer_id
    )
    query = (
        select(Submission.id)
        .where(
            Submission.activity_id == activity_id,
            Submission.author_id != reviewer_id,
            ~mine.exists(),
        )
        .order_by(Submission.reviews_under_way, Submission.first_submitted_at, Submission.id)
        .limit(1)
    )
    if policy is GroupPolicy.AVOID_SAME_GROUP and reviewer_group is not None:
        query = query.where(
            or_(Submission.group_key.is_(None), Submission.group_key != reviewer_group)
        )
    elif policy is GroupPolicy.SAME_GROUP_ONLY:
        query = query.where(
            Submission.group_key == reviewer_group
            if reviewer_group is not None
            else Submission.group_key.is_(None)
        )
    found = connection.execute(query).scalar_one_or_none()
    return SubmissionId(str(found)) if found is not None else None


def submission_states(
    connection: Connection, activity_id: int, *, open_until: datetime | None = None
) -> list[SubmissionState]:
    """Each submission's completed reviews and the leases on it; with ``open_until``,
    allocations without a lease (balanced, manual) count as held until then."""
    completed = dict(
        connection.execute(
            select(Allocation.submission_id, func.count())
            .where(
                Allocation.activity_id == activity_id,
                Allocation.kind == "peer",
                Allocation.state == "completed",
            )
            .group_by(Allocation.submission_id)
        ).all()
    )
    leases: dict[int, list[Lease]] = {}
    for row in connection.execute(
        select(
            Allocation.submission_id,
            Allocation.reviewer_id,
            Allocation.assigned_at,
            Allocation.lease_expires_at,
            Allocation.source,
        ).where(
            Allocation.activity_id == activity_id,
            Allocation.kind == "peer",
            Allocation.state.in_(OPEN_STATES),
        )
    ):
        expires = row.lease_expires_at or open_until
        if expires is None:
            continue
        leases.setdefault(row.submission_id, []).append(
            Lease(
                ParticipantId(str(row.reviewer_id)),
                SubmissionId(str(row.submission_id)),
                row.assigned_at,
                expires,
                reassigned=row.source == "reassigned",
            )
        )
    return [
        SubmissionState(
            id=SubmissionId(str(row.id)),
            author=ParticipantId(str(row.author_id)),
            group=row.group_key,
            submitted_at=row.first_submitted_at,
            completed_reviews=int(completed.get(row.id, 0)),
            active_leases=tuple(leases.get(row.id, ())),
        )
        for row in connection.execute(
            select(
                Submission.id,
                Submission.author_id,
                Submission.group_key,
                Submission.first_submitted_at,
            ).where(Submission.activity_id == activity_id)
        )
    ]
