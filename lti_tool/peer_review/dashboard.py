"""What the staff dashboard of a peer review activity shows: submissions and their
reviewers, who has not submitted or launched, open flags, grades with their overrides,
calibration accuracy and per-criterion statistics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.peer_review.distribution import bar_chart, grade_bins
from lti_tool.domain.peer_review.grade_model import ComponentGrade
from lti_tool.domain.peer_review.grades import LearnerGrade
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.domain.peer_review.statistics import criterion_statistics
from lti_tool.peer_review import calibration, grading, moderation, overrides, queue
from lti_tool.peer_review.people import people_of
from lti_tool.persistence.peer_review_models import Allocation, Assessment, Submission


@dataclass(frozen=True)
class Dashboard:
    data: dict[str, Any]
    chart: Any
    criteria: Any
    learners: list[dict[str, Any]]
    calibrated: dict[int, float]


def number(value: float | None) -> str:
    """A score as a table shows it: empty when there is none, no trailing zeros."""
    return "" if value is None else f"{value:g}"


def shown(component: ComponentGrade) -> float | None:
    """The score of a grade component, or its provisional score before release."""
    return component.score if component.score is not None else component.provisional


def dashboard(
    engine: Engine, *, activity: PlacedActivity, settings: PeerReviewSettings, now: datetime
) -> Dashboard:
    """Everything the dashboard shows, read in one connection."""
    with engine.connect() as connection:
        data = dashboard_data(connection, activity=activity, settings=settings, now=now)
        grades = grading.compute_grades(connection, activity, settings)
        learners = grade_rows(connection, activity.id, data["people"], grades)
        calibrated = calibration.accuracy_by_learner(connection, activity.id, settings)
        criteria = criterion_statistics(
            settings.rubric,
            connection.scalars(
                select(Assessment.scores)
                .join(Allocation, Allocation.id == Assessment.allocation_id)
                .where(
                    Allocation.activity_id == activity.id,
                    Allocation.kind == "peer",
                    Assessment.submitted_at.is_not(None),
                    Assessment.hidden_at.is_(None),
                )
            ),
        )
    # The gradebook's (first) column: the combined grade, or the submission grade.
    columns = [grade.final or grade.submission for grade in grades.values()]
    scores = [value for value in map(shown, columns) if value is not None]
    chart = bar_chart(grade_bins(scores, maximum=columns[0].maximum)) if scores else None
    return Dashboard(data, chart, criteria, learners, calibrated)


def dashboard_data(
    connection: Connection, *, activity: PlacedActivity, settings: PeerReviewSettings, now: datetime
) -> dict[str, Any]:
    people = people_of(connection, activity.context_id)
    submissions = connection.execute(
        select(Submission.id, Submission.author_id, Submission.late, Submission.versions)
        .where(Submission.activity_id == activity.id)
        .order_by(Submission.first_submitted_at)
    ).all()
    states: Counter[str] = Counter()
    per_submission: dict[int, Counter[str]] = {}
    reviewers: dict[int, list[dict[str, Any]]] = {}
    for allocation in connection.execute(
        select(
            Allocation.id,
            Allocation.submission_id,
            Allocation.reviewer_id,
            Allocation.state,
            Allocation.source,
        )
        .where(
            Allocation.activity_id == activity.id,
            Allocation.kind == "peer",
            Allocation.state != "removed",
        )
        .order_by(Allocation.id)
    ):
        states[allocation.state] += 1
        per_submission.setdefault(allocation.submission_id, Counter())[allocation.state] += 1
        reviewers.setdefault(allocation.submission_id, []).append(
            {
                "id": allocation.id,
                "name": people.get(allocation.reviewer_id, {}).get("name", "Unknown"),
                "state": allocation.state,
                "source": allocation.source,
            }
        )
    risk = queue.submissions_at_risk(
        connection, activity_id=activity.id, settings=settings, now=now
    )
    rows = []
    for row in submissions:
        counts = per_submission.get(row.id, Counter())
        rows.append(
            {
                "id": row.id,
                "author": people.get(row.author_id, {}).get("name", "Unknown"),
                "reviewers": reviewers.get(row.id, []),
                "late": row.late,
                "versions": row.versions,
                "done": counts["completed"],
                "in_progress": counts["in_progress"],
                "assigned": counts["assigned"],
                "at_risk": row.id in risk,
            }
        )
    learners = {pid: p for pid, p in people.items() if p["role"] == "learner"}
    submitted = {row.author_id for row in submissions}
    flagged = [
        {
            "flag": flag,
            "author": people.get(flag.author_id, {}).get("name", "Unknown"),
            "reviewer": people.get(flag.reviewer_id, {}).get("name", "Unknown"),
        }
        for flag in moderation.open_flags(connection, activity.id)
    ]
    found = grading.phase(connection, activity.id)
    return {
        "rows": rows,
        "states": states,
        "learners": len(learners),
        "not_submitted": sorted(p["name"] for pid, p in learners.items() if pid not in submitted),
        "never_launched": sorted(p["name"] for p in learners.values() if not p["launched"]),
        "flagged": flagged,
        "phase": found,
        "people": people,
        "reviewer_choices": sorted(
            ((pid, p["name"]) for pid, p in learners.items() if p["status"] != "Deleted"),
            key=lambda item: item[1],
        ),
    }


def grade_rows(
    connection: Connection,
    activity_id: int,
    people: dict[int, dict[str, Any]],
    grades: dict[int, LearnerGrade],
) -> list[dict[str, Any]]:
    """One row per graded learner: components, progress and the overrides with who/when."""
    stored: dict[int, dict[str, overrides.StoredOverride]] = {}
    for item in overrides.overrides_of(connection, activity_id):
        stored.setdefault(item.learner_id, {})[item.component.value] = item
    rows = []
    for learner_id, grade in grades.items():
        final = grade.final
        rows.append(
            {
                "id": learner_id,
                "name": people.get(learner_id, {}).get("name", str(learner_id)),
                "submission": number(shown(grade.submission)),
                "review": number(shown(grade.review)),
                "final": number(shown(final)) if final else "",
                "progress": (final or grade.submission).progress.value,
                "overrides": [
                    {
                        "component": component,
                        "value": number(item.value),
                        "reason": item.reason,
                        "by": people.get(item.by_user_id or 0, {}).get("name", "staff"),
                        "at": item.at,
                    }
                    for component, item in sorted(stored.get(learner_id, {}).items())
                ],
            }
        )
    return sorted(rows, key=lambda row: row["name"])
