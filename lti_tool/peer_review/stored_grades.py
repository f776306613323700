"""Learners' released grades as stored in ``pr_grade``: written by release and every
re-publish (:mod:`lti_tool.peer_review.grading`), read by learner pages and the
Submission Review page so no page view recomputes the cohort."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from lti_tool.domain.peer_review.grade_records import (
    UnreadableRecord,
    grade_from_record,
    grade_to_record,
)
from lti_tool.domain.peer_review.grades import LearnerGrade
from lti_tool.persistence.peer_review_models import StoredGrade

log = logging.getLogger(__name__)


def store(
    connection: Connection, activity_id: int, grades: dict[int, LearnerGrade], *, now: datetime
) -> None:
    """Replace the activity's stored grades with ``grades`` (the whole cohort)."""
    connection.execute(delete(StoredGrade).where(StoredGrade.activity_id == activity_id))
    if grades:
        connection.execute(
            insert(StoredGrade),
            [
                {
                    "activity_id": activity_id,
                    "learner_id": learner_id,
                    "record": grade_to_record(grade),
                    "computed_at": now,
                }
                for learner_id, grade in grades.items()
            ],
        )


def stored_grades(connection: Connection, activity_id: int) -> dict[int, LearnerGrade]:
    """Every stored grade of the activity that this code can read."""
    rows = connection.execute(
        select(StoredGrade.learner_id, StoredGrade.record).where(
            StoredGrade.activity_id == activity_id
        )
    )
    return {
        row.learner_id: grade
        for row in rows
        if (grade := _readable(activity_id, row.learner_id, row.record))
    }


def stored_grade(connection: Connection, activity_id: int, learner_id: int) -> LearnerGrade | None:
    """One learner's stored grade, or None (never stored, or stored by older code)."""
    record = connection.scalar(
        select(StoredGrade.record).where(
            StoredGrade.activity_id == activity_id, StoredGrade.learner_id == learner_id
        )
    )
    return None if record is None else _readable(activity_id, learner_id, record)


def _readable(activity_id: int, learner_id: int, record: object) -> LearnerGrade | None:
    try:
        return grade_from_record(record if isinstance(record, dict) else {})
    except UnreadableRecord as error:
        # The caller recomputes; the next re-publish stores a readable record again.
        log.warning(
            "stored grade unreadable",
            extra={"activity": activity_id, "learner": learner_id, "error": str(error)},
        )
        return None
