"""Spreadsheets staff download: every learner's grades, and every review."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Engine, select

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.peer_review.settings import PeerReviewSettings
from lti_tool.peer_review import calibration, grading
from lti_tool.peer_review.dashboard import number
from lti_tool.peer_review.people import people_of
from lti_tool.persistence.peer_review_models import Allocation, Assessment, Submission


def cell(text: str) -> str:
    """Text a spreadsheet shows as text: one starting with = + - @ would be a formula."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def grades_csv(engine: Engine, *, activity: PlacedActivity, settings: PeerReviewSettings) -> str:
    """One row per learner: each component, the grading progress, calibration accuracy."""
    with engine.connect() as connection:
        people = people_of(connection, activity.context_id)
        grades = grading.compute_grades(connection, activity, settings)
        calibrated = calibration.accuracy_by_learner(connection, activity.id, settings)
    out = io.StringIO()
    writer = csv.writer(out)
    extra = ["calibration accuracy"] if settings.calibration else []
    writer.writerow(["learner", "submission", "reviewing", "final", "grading progress", *extra])
    for learner_id, grade in sorted(grades.items()):
        final = grade.final
        accuracy = calibrated.get(learner_id)
        writer.writerow(
            [
                cell(people.get(learner_id, {}).get("name", str(learner_id))),
                number(grade.submission.score or grade.submission.provisional),
                number(grade.review.score or grade.review.provisional),
                number(final.score or final.provisional) if final else "",
                (final or grade.submission).progress.value,
                *([number(None if accuracy is None else round(accuracy, 4))] if extra else []),
            ]
        )
    return out.getvalue()


def reviews_csv(engine: Engine, *, activity: PlacedActivity, settings: PeerReviewSettings) -> str:
    """Every review with its author and reviewer (staff see names), points, comments,
    the author's rating and the flag; removed allocations are left out."""
    criteria = [criterion.key for criterion in settings.rubric.criteria]
    with engine.connect() as connection:
        people = people_of(connection, activity.context_id)
        rows = connection.execute(
            select(
                Submission.author_id,
                Allocation.reviewer_id,
                Allocation.kind,
                Allocation.state,
                Assessment.scores,
                Assessment.comments,
                Assessment.overall_comment,
                Assessment.helpfulness,
                Assessment.flagged_at,
                Assessment.flag_reason,
                Assessment.hidden_at,
            )
            .join(Submission, Submission.id == Allocation.submission_id)
            .outerjoin(Assessment, Assessment.allocation_id == Allocation.id)
            .where(Allocation.activity_id == activity.id, Allocation.state != "removed")
            .order_by(Submission.first_submitted_at, Allocation.kind, Allocation.id)
        ).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "submission author",
            "reviewer",
            "kind",
            "state",
            *(f"points: {key}" for key in criteria),
            "comments",
            "helpfulness",
            "flagged",
            "hidden",
        ]
    )

    def name(person: int) -> str:
        return cell(people.get(person, {}).get("name", str(person)))

    for row in rows:
        scores, notes = row.scores or {}, row.comments or {}
        comments = [f"{key}: {notes[key]}" for key in criteria if notes.get(key)]
        if row.overall_comment:
            comments.append(f"overall: {row.overall_comment}")
        writer.writerow(
            [
                name(row.author_id),
                name(row.reviewer_id),
                row.kind,
                row.state,
                *(number(scores.get(key)) for key in criteria),
                cell("\n".join(comments)),
                "" if row.helpfulness is None else str(row.helpfulness),
                cell(row.flag_reason or "") if row.flagged_at else "",
                "yes" if row.hidden_at else "",
            ]
        )
    return out.getvalue()
