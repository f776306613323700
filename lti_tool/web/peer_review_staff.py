"""Staff pages of a peer review activity: the dashboard, allocation, release, exports.

The dashboard also carries the forms of the staff tools in
:mod:`lti_tool.web.peer_review_moderation` and :mod:`lti_tool.web.peer_review_settings`."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import TYPE_CHECKING, Any

from flask import Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, select

from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.domain.peer_review.distribution import bar_chart, grade_bins
from lti_tool.domain.peer_review.grade_model import ComponentGrade, GradeComponent
from lti_tool.domain.peer_review.grades import LearnerGrade
from lti_tool.domain.peer_review.settings import GradeLines
from lti_tool.domain.peer_review.statistics import criterion_statistics
from lti_tool.lti.ags import AgsClient
from lti_tool.peer_review import allocate, calibration, grading, moderation, overrides, queue
from lti_tool.peer_review.gradebook import ensure_review_column
from lti_tool.persistence.models import Membership, User
from lti_tool.persistence.peer_review_models import Allocation, Assessment, Submission
from lti_tool.web.context import services
from lti_tool.web.peer_review_views import _now, _open, peer_review, recorder

if TYPE_CHECKING:
    from lti_tool.web.peer_review_views import Opened

# What the dashboard says after a staff tool sent the teacher back to it.
NOTICES = {
    "flag-upheld": "Flag upheld: the review is hidden and no longer counts.",
    "flag-dismissed": "Flag dismissed: the review counts again.",
    "override-set": "Grade override saved.",
    "override-removed": "Grade override removed: the computed grade applies again.",
    "reviewer-added": "Reviewer added.",
    "reviewer-removed": "Reviewer removed.",
    "reviewers-swapped": "Reviewers swapped.",
    "settings-saved": "Settings saved.",
    "settings-unchanged": "Nothing in the settings changed.",
    "settings-saved-lms-not": (
        "Settings saved, but the LMS did not take the new title or points for its "
        "gradebook column: change the column in the LMS too."
    ),
}


def people_of(connection: Connection, context_id: int) -> dict[int, dict[str, Any]]:
    rows = connection.execute(
        select(
            User.id,
            User.sub,
            User.name,
            User.given_name,
            User.family_name,
            User.display_name,
            Membership.course_role,
            Membership.status,
            Membership.last_launch_at,
        )
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id)
    ).all()
    return {
        row.id: {
            "name": display_name(
                PersonClaims(
                    sub=row.sub,
                    name=row.name,
                    given_name=row.given_name,
                    family_name=row.family_name,
                ),
                row.display_name,
            ),
            "role": row.course_role,
            "status": row.status,
            "launched": row.last_launch_at is not None,
        }
        for row in rows
    }


def dashboard_data(connection: Connection, opened: Opened) -> dict[str, Any]:
    activity = opened.activity
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
        connection, activity_id=activity.id, settings=opened.settings, now=_now()
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
    opened: Opened,
    people: dict[int, dict[str, Any]],
    grades: dict[int, LearnerGrade],
) -> list[dict[str, Any]]:
    """One row per graded learner: components, progress and the overrides with who/when."""
    stored: dict[int, dict[str, overrides.StoredOverride]] = {}
    for item in overrides.overrides_of(connection, opened.activity.id):
        stored.setdefault(item.learner_id, {})[item.component.value] = item
    rows = []
    for learner_id, grade in grades.items():
        final = grade.final
        rows.append(
            {
                "id": learner_id,
                "name": people.get(learner_id, {}).get("name", str(learner_id)),
                "submission": _number(_shown(grade.submission)),
                "review": _number(_shown(grade.review)),
                "final": _number(_shown(final)) if final else "",
                "progress": (final or grade.submission).progress.value,
                "overrides": [
                    {
                        "component": component,
                        "value": _number(item.value),
                        "reason": item.reason,
                        "by": people.get(item.by_user_id or 0, {}).get("name", "staff"),
                        "at": item.at,
                    }
                    for component, item in sorted(stored.get(learner_id, {}).items())
                ],
            }
        )
    return sorted(rows, key=lambda row: row["name"])


def _shown(component: ComponentGrade) -> float | None:
    return component.score if component.score is not None else component.provisional


def render_dashboard(opened: Opened) -> ResponseReturnValue:
    with services().engine.connect() as connection:
        data = dashboard_data(connection, opened)
        grades = grading.compute_grades(connection, opened.activity, opened.settings)
        learners = grade_rows(connection, opened, data["people"], grades)
        calibrated = calibration.accuracy_by_learner(
            connection, opened.activity.id, opened.settings
        )
        criteria = criterion_statistics(
            opened.settings.rubric,
            connection.scalars(
                select(Assessment.scores)
                .join(Allocation, Allocation.id == Assessment.allocation_id)
                .where(
                    Allocation.activity_id == opened.activity.id,
                    Allocation.kind == "peer",
                    Assessment.submitted_at.is_not(None),
                    Assessment.hidden_at.is_(None),
                )
            ),
        )
    # The gradebook's (first) column: the combined grade, or the submission grade.
    shown = [grade.final or grade.submission for grade in grades.values()]
    scores = [value for value in map(_shown, shown) if value is not None]
    chart = bar_chart(grade_bins(scores, maximum=shown[0].maximum)) if scores else None
    return render_template(
        "peer_review/dashboard.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        data=data,
        chart=chart,
        criteria=criteria,
        learners=learners,
        calibrated=calibrated,
        components=[
            component.value
            for component in GradeComponent
            if component is not GradeComponent.FINAL
            or opened.settings.grade_lines is GradeLines.COMBINED
        ],
        notice=NOTICES.get(request.args.get("notice", "")),
    )


@peer_review.post("/app/peer-review/<int:activity_id>/allocate")
def allocate_now(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    with services().engine.begin() as connection:
        allocate.allocate(
            connection,
            activity=opened.activity,
            settings=opened.settings,
            now=_now(),
            recorder=recorder(),
        )
    return redirect(
        url_for("peer_review.activity_page", activity_id=activity_id, ls=opened.token), code=303
    )


@peer_review.post("/app/peer-review/<int:activity_id>/release")
def release_now(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    svc = services()
    # The reviewing column (if graded apart) exists before any grade is queued for it.
    ensure_review_column(
        svc.engine,
        activity=opened.activity,
        settings=opened.settings,
        ags=AgsClient(svc.service_tokens, http=svc.http),
        registrations=svc.registrations,
    )
    with svc.engine.begin() as connection:
        grading.release(
            connection,
            activity=opened.activity,
            settings=opened.settings,
            now=_now(),
            recorder=recorder(),
        )
    return redirect(
        url_for("peer_review.activity_page", activity_id=activity_id, ls=opened.token), code=303
    )


@peer_review.get("/app/peer-review/<int:activity_id>/grades.csv")
def export_grades(activity_id: int) -> Response:
    opened = _open(activity_id, staff=True)
    with services().engine.connect() as connection:
        people = people_of(connection, opened.activity.context_id)
        grades = grading.compute_grades(connection, opened.activity, opened.settings)
        calibrated = calibration.accuracy_by_learner(
            connection, opened.activity.id, opened.settings
        )
    out = io.StringIO()
    writer = csv.writer(out)
    extra = ["calibration accuracy"] if opened.settings.calibration else []
    writer.writerow(["learner", "submission", "reviewing", "final", "grading progress", *extra])
    for learner_id, grade in sorted(grades.items()):
        final = grade.final
        accuracy = calibrated.get(learner_id)
        writer.writerow(
            [
                _cell(people.get(learner_id, {}).get("name", str(learner_id))),
                _number(grade.submission.score or grade.submission.provisional),
                _number(grade.review.score or grade.review.provisional),
                _number(final.score or final.provisional) if final else "",
                (final or grade.submission).progress.value,
                *([_number(None if accuracy is None else round(accuracy, 4))] if extra else []),
            ]
        )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="peer-review-grades.csv"'
    return response


@peer_review.get("/app/peer-review/<int:activity_id>/reviews.csv")
def export_reviews(activity_id: int) -> Response:
    """Every review with its author and reviewer (staff see names), points, comments,
    the author's rating and the flag; removed allocations are left out."""
    opened = _open(activity_id, staff=True)
    criteria = [criterion.key for criterion in opened.settings.rubric.criteria]
    with services().engine.connect() as connection:
        people = people_of(connection, opened.activity.context_id)
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
            .where(Allocation.activity_id == activity_id, Allocation.state != "removed")
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
        return _cell(people.get(person, {}).get("name", str(person)))

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
                *(_number(scores.get(key)) for key in criteria),
                _cell("\n".join(comments)),
                "" if row.helpfulness is None else str(row.helpfulness),
                _cell(row.flag_reason or "") if row.flagged_at else "",
                "yes" if row.hidden_at else "",
            ]
        )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="peer-review-reviews.csv"'
    return response


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheets: neutralise it.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
