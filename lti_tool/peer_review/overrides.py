"""Instructor overrides of a learner's grade components, stored in ``pr_override``.

An override always wins over the computed component (see
:mod:`lti_tool.domain.peer_review.grades`). One per learner and component: setting it
again replaces it (who and when are the latest). Setting and removing are recorded in
``activity_change`` too, since removal deletes the row. After release, the learner's
grade is sent to the LMS again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, or_, select

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.errors import NotFound, PeerlearnError
from lti_tool.domain.peer_review.grade_model import GradeComponent
from lti_tool.domain.peer_review.settings import GradeLines, PeerReviewSettings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import grading
from lti_tool.peer_review.audit import record_change
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.models import Membership
from lti_tool.persistence.peer_review_models import GradeOverride, Submission

REASON_LIMIT = 2000


class OverrideInvalid(PeerlearnError):
    code = "override_invalid"
    status = 422
    title = "This grade cannot be set"
    advice = "Nothing was changed. Go back, correct the grade and try again."


@dataclass(frozen=True)
class StoredOverride:
    learner_id: int
    component: GradeComponent
    value: float
    reason: str
    by_user_id: int | None
    at: datetime


def component_maximum(settings: PeerReviewSettings, component: GradeComponent) -> float:
    """The points a component is out of; OverrideInvalid if the activity has no such
    component (a combined grade with two gradebook columns)."""
    if component is GradeComponent.REVIEW:
        return settings.review_score_maximum
    if component is GradeComponent.FINAL and settings.grade_lines is GradeLines.SEPARATE:
        raise OverrideInvalid(
            "This activity sends two gradebook columns: override the submission or the "
            "reviewing grade instead.",
            code="override_component",
        )
    return settings.score_maximum


def _check_learner(connection: Connection, activity: PlacedActivity, learner_id: int) -> None:
    # The people grading grades: the course's learners and anyone who submitted.
    found = connection.execute(
        select(Membership.user_id)
        .outerjoin(
            Submission,
            (Submission.author_id == Membership.user_id) & (Submission.activity_id == activity.id),
        )
        .where(
            Membership.context_id == activity.context_id,
            Membership.user_id == learner_id,
            or_(
                (Membership.course_role == "learner") & (Membership.status != "Deleted"),
                Submission.id.is_not(None),
            ),
        )
    ).first()
    if found is None:
        raise NotFound("There is no such learner in this activity.", code="learner_not_found")


def overrides_of(connection: Connection, activity_id: int) -> list[StoredOverride]:
    return [
        StoredOverride(
            learner_id=row.learner_id,
            component=GradeComponent(row.component),
            value=row.value,
            reason=row.reason or "",
            by_user_id=row.by_user_id,
            at=row.at,
        )
        for row in connection.execute(
            select(GradeOverride).where(GradeOverride.activity_id == activity_id)
        )
    ]


def set_override(
    connection: Connection,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    learner_id: int,
    component: GradeComponent,
    value: float,
    reason: str,
    staff_id: int,
    now: datetime,
    recorder: Recorder | None = None,
) -> None:
    """Set (or replace) one override, within the component's maximum, with a reason."""
    maximum = component_maximum(settings, component)
    if not math.isfinite(value) or not 0 <= value <= maximum:
        raise OverrideInvalid(
            f"A {component.value} grade is a number from 0 to {maximum:g}.",
            code="override_range",
        )
    reason = reason.strip()
    if not reason:
        raise OverrideInvalid("Say why the grade is overridden.", code="override_reason")
    if len(reason) > REASON_LIMIT:
        raise OverrideInvalid(
            f"A reason can have at most {REASON_LIMIT} characters.", code="override_reason"
        )
    _check_learner(connection, activity, learner_id)
    values = {"value": value, "reason": reason, "by_user_id": staff_id, "at": now}
    statement = dialect_insert(connection)(GradeOverride).values(
        activity_id=activity.id, learner_id=learner_id, component=component.value, **values
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["activity_id", "learner_id", "component"], set_=values
        )
    )
    record_change(
        connection,
        activity_id=activity.id,
        changed_by=staff_id,
        at=now,
        changes={
            "override": {
                "learner": learner_id,
                "component": component.value,
                "value": value,
                "reason": reason,
            }
        },
    )
    grading.republish(
        connection,
        activity=activity,
        settings=settings,
        learner_ids={learner_id},
        now=now,
        recorder=recorder,
    )


def remove_override(
    connection: Connection,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    learner_id: int,
    component: GradeComponent,
    staff_id: int,
    now: datetime,
    recorder: Recorder | None = None,
) -> None:
    """Remove one override: the computed grade applies again. NotFound if there is none."""
    removed = connection.execute(
        delete(GradeOverride).where(
            GradeOverride.activity_id == activity.id,
            GradeOverride.learner_id == learner_id,
            GradeOverride.component == component.value,
        )
    )
    if removed.rowcount != 1:
        raise NotFound("There is no such override.", code="override_not_found")
    record_change(
        connection,
        activity_id=activity.id,
        changed_by=staff_id,
        at=now,
        changes={"override": {"learner": learner_id, "component": component.value, "value": None}},
    )
    grading.republish(
        connection,
        activity=activity,
        settings=settings,
        learner_ids={learner_id},
        now=now,
        recorder=recorder,
    )
