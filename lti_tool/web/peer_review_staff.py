"""Staff pages of a peer review activity: the dashboard, allocation, release, export."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import TYPE_CHECKING, Any

from flask import Response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection, select

from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.lti.ags import AgsClient
from lti_tool.peer_review import allocate, grading, queue
from lti_tool.peer_review.gradebook import ensure_review_column
from lti_tool.persistence.models import Membership, User
from lti_tool.persistence.peer_review_models import Allocation, Assessment, Submission
from lti_tool.web.context import services
from lti_tool.web.peer_review_views import _now, _open, peer_review, recorder

if TYPE_CHECKING:
    from lti_tool.web.peer_review_views import Opened


def _people(connection: Connection, context_id: int) -> dict[int, dict[str, Any]]:
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
    people = _people(connection, activity.context_id)
    submissions = connection.execute(
        select(Submission.id, Submission.author_id, Submission.late, Submission.versions)
        .where(Submission.activity_id == activity.id)
        .order_by(Submission.first_submitted_at)
    ).all()
    states: Counter[str] = Counter()
    per_submission: dict[int, Counter[str]] = {}
    for allocation in connection.execute(
        select(Allocation.submission_id, Allocation.state).where(
            Allocation.activity_id == activity.id,
            Allocation.kind == "peer",
            Allocation.state != "removed",
        )
    ):
        states[allocation.state] += 1
        per_submission.setdefault(allocation.submission_id, Counter())[allocation.state] += 1
    risk = queue.submissions_at_risk(
        connection, activity_id=activity.id, settings=opened.settings, now=_now()
    )
    rows = []
    for row in submissions:
        counts = per_submission.get(row.id, Counter())
        rows.append(
            {
                "author": people.get(row.author_id, {}).get("name", "Unknown"),
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
    flagged = connection.execute(
        select(Assessment.id, Assessment.flag_reason)
        .join(Allocation, Allocation.id == Assessment.allocation_id)
        .where(
            Allocation.activity_id == activity.id,
            Assessment.flagged_at.is_not(None),
            Assessment.hidden_at.is_(None),
        )
    ).all()
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
    }


def render_dashboard(opened: Opened) -> ResponseReturnValue:
    with services().engine.connect() as connection:
        data = dashboard_data(connection, opened)
        grades = grading.compute_grades(connection, opened.activity, opened.settings)
    distribution = Counter(
        round(grade.final.provisional or grade.final.score or 0)
        for grade in grades.values()
        if grade.final is not None and (grade.final.score or grade.final.provisional) is not None
    )
    return render_template(
        "peer_review/dashboard.html",
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        data=data,
        distribution=sorted(distribution.items()),
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
        people = _people(connection, opened.activity.context_id)
        grades = grading.compute_grades(connection, opened.activity, opened.settings)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "submission", "reviewing", "final", "grading progress"])
    for learner_id, grade in sorted(grades.items()):
        final = grade.final
        writer.writerow(
            [
                _cell(people.get(learner_id, {}).get("name", str(learner_id))),
                _number(grade.submission.score or grade.submission.provisional),
                _number(grade.review.score or grade.review.provisional),
                _number(final.score or final.provisional) if final else "",
                (final or grade.submission).progress.value,
            ]
        )
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="peer-review-grades.csv"'
    return response


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _cell(text: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheets: neutralise it.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
