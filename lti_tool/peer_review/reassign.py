"""Near the review deadline of a queue activity, submissions still short of reviews go to
willing learners (who offered to review more, first; then who did their own reviews and
launched in the last 24 h: :mod:`lti_tool.domain.peer_review.willing`); what nobody can
take stays on the staff dashboard.

``peerlearn lti deliver`` runs :func:`reassign_due` in its loop. Learners offer on their
page once they have done their own reviews (:func:`volunteer`).
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, func, insert, select

from lti_tool.courses.activities import PlacedActivity, activity_by_id
from lti_tool.domain.errors import Forbidden
from lti_tool.domain.peer_review.model import ParticipantId, SubmissionId
from lti_tool.domain.peer_review.review_queue import reassign
from lti_tool.domain.peer_review.settings import AllocationMode, settings_from_dict
from lti_tool.domain.peer_review.willing import ReviewerStanding, willing_reviewers
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review.activity_statements import WAS_ASSIGNED, record_about_activity
from lti_tool.peer_review.allocate import POLICIES
from lti_tool.peer_review.queue import WARNING_WINDOW, expire_leases, submission_states
from lti_tool.peer_review.tally import UNDER_WAY_STATES, recount
from lti_tool.persistence.models import Activity, Membership
from lti_tool.persistence.peer_review_models import Allocation, Volunteer

log = logging.getLogger("peerlearn.peer_review")


def volunteer(
    connection: Connection,
    *,
    activity: PlacedActivity,
    user_id: int,
    offer: bool,
    k: int,
    now: datetime,
) -> None:
    """Offer (or withdraw the offer) to review more; only after one's own ``k`` reviews."""
    done = connection.execute(
        select(func.count()).where(
            Allocation.activity_id == activity.id,
            Allocation.reviewer_id == user_id,
            Allocation.kind == "peer",
            Allocation.state == "completed",
        )
    ).scalar_one()
    connection.execute(
        delete(Volunteer).where(Volunteer.activity_id == activity.id, Volunteer.user_id == user_id)
    )
    if not offer:
        return
    if done < k:
        raise Forbidden("Finish your own reviews first.", code="reviews_to_do")
    connection.execute(
        insert(Volunteer).values(activity_id=activity.id, user_id=user_id, offered_at=now)
    )


def is_volunteer(connection: Connection, activity_id: int, user_id: int) -> bool:
    found = connection.execute(
        select(Volunteer.id).where(
            Volunteer.activity_id == activity_id, Volunteer.user_id == user_id
        )
    ).first()
    return found is not None


def reassign_due(engine: Engine, *, now: datetime, recorder: Recorder | None = None) -> int:
    """Hand short submissions to volunteers in every queue activity near its deadline;
    returns the number of reviews handed out."""
    with engine.connect() as connection:
        candidates = list(
            connection.scalars(
                # Any of them may have learners willing to help (domain/peer_review/willing).
                select(Activity.id).where(Activity.kind == "peer-review")
            )
        )
    handed = 0
    for activity_id in candidates:
        with engine.begin() as connection:
            activity = activity_by_id(connection, activity_id)
            if activity is not None:
                handed += _reassign(connection, activity, now, recorder)
    return handed


def _standings(connection: Connection, activity: PlacedActivity) -> list[ReviewerStanding]:
    """The course's learners and the activity's volunteers, with their reviewing so far
    and their last launch of the course."""
    learners = dict(
        connection.execute(
            select(Membership.user_id, Membership.last_launch_at).where(
                Membership.context_id == activity.context_id,
                Membership.course_role == "learner",
                Membership.status != "Deleted",
            )
        ).all()
    )
    volunteers = set(
        connection.scalars(select(Volunteer.user_id).where(Volunteer.activity_id == activity.id))
    )
    completed: Counter[int] = Counter()
    load: Counter[int] = Counter()
    for row in connection.execute(
        select(Allocation.reviewer_id, Allocation.state).where(
            Allocation.activity_id == activity.id, Allocation.kind == "peer"
        )
    ):
        completed[row.reviewer_id] += row.state == "completed"
        load[row.reviewer_id] += row.state in UNDER_WAY_STATES
    return [
        ReviewerStanding(
            person=ParticipantId(str(person)),
            completed=completed[person],
            load=load[person],
            volunteered=person in volunteers,
            last_launch=learners.get(person),
        )
        for person in sorted(set(learners) | volunteers)
    ]


def _reassign(
    connection: Connection, activity: PlacedActivity, now: datetime, recorder: Recorder | None
) -> int:
    settings = settings_from_dict(activity.settings)
    deadline = settings.reviews_due
    if settings.allocation is not AllocationMode.QUEUE or deadline is None:
        return 0
    if not deadline - WARNING_WINDOW <= now < deadline:
        return 0
    expire_leases(connection, activity_id=activity.id, now=now)
    willing = willing_reviewers(
        _standings(connection, activity), k=settings.reviews_per_submission, now=now
    )
    reviewed: dict[ParticipantId, set[SubmissionId]] = defaultdict(set)
    for row in connection.execute(
        select(Allocation.reviewer_id, Allocation.submission_id).where(
            Allocation.activity_id == activity.id
        )
    ):
        reviewed[ParticipantId(str(row.reviewer_id))].add(SubmissionId(str(row.submission_id)))
    states = submission_states(connection, activity.id)
    groups = {state.author: state.group for state in states if state.group}
    plan = reassign(
        states,
        k=settings.reviews_per_submission,
        willing=willing.load,
        preferred=willing.volunteers,
        reviewed_by=reviewed,
        policy=POLICIES[settings.group_policy],
        groups=groups or None,
        now=now,
        review_deadline=deadline,
        warning_window=WARNING_WINDOW,
    )
    for lease in plan.leases:
        allocation_id = connection.execute(
            insert(Allocation)
            .values(
                activity_id=activity.id,
                submission_id=int(lease.submission),
                reviewer_id=int(lease.reviewer),
                kind="peer",
                source="reassigned",
                state="assigned",
                assigned_at=now,
                lease_expires_at=lease.expires_at,
            )
            .returning(Allocation.id)
        ).scalar_one()
        if recorder is not None:
            record_about_activity(
                recorder,
                connection,
                activity.id,
                int(lease.reviewer),
                WAS_ASSIGNED,
                submission_pk=int(lease.submission),
                allocation_pk=allocation_id,
                at=now,
            )
    recount(connection, {int(lease.submission) for lease in plan.leases})
    if plan.flagged:
        log.info(
            "submissions short of reviews near the deadline",
            extra={"activity_id": activity.id, "count": len(plan.flagged)},
        )
    return len(plan.leases)
