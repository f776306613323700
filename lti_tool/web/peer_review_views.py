"""Peer review pages: a learner submits, reviews and reads feedback; staff see the
dashboard, allocate and release. Every view checks the launch session's course owns the
activity; learners only ever see other learners through labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from markdown_it import MarkdownIt
from sqlalchemy import select

from lti_tool.courses.activities import PlacedActivity, activity_by_id
from lti_tool.domain.errors import BadRequest, Forbidden, NotFound
from lti_tool.domain.files import FILE_TYPES, display_name
from lti_tool.domain.peer_review.anonymity import download_name
from lti_tool.domain.peer_review.settings import PeerReviewSettings, settings_from_dict
from lti_tool.domain.peer_review.submission_rules import SubmissionWindow
from lti_tool.file_store import FileStore
from lti_tool.launch_session import LaunchSession
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import (
    calibration_attempts,
    grading,
    groups,
    identities,
    reviews,
    submissions,
)
from lti_tool.peer_review import reassign as reassignments
from lti_tool.persistence.peer_review_models import (
    Allocation,
    Submission,
    SubmissionFile,
    SubmissionVersion,
)
from lti_tool.rich_text import sanitise
from lti_tool.web.context import current_launch, services
from lti_tool.web.kind_pages import ActivityLaunch, KindPages, SubmissionReview

peer_review = Blueprint("peer_review", __name__)
KIND = "peer-review"
MAX_FILES = 5
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


@dataclass(frozen=True)
class Opened:
    launch: LaunchSession
    token: str
    activity: PlacedActivity
    settings: PeerReviewSettings


def _open(activity_id: int, *, staff: bool = False, learner: bool = False) -> Opened:
    """The activity of this course the session may use, or 404; ``staff``/``learner``
    limit it to that role (403 otherwise)."""
    launch, token = current_launch()
    with services().engine.connect() as connection:
        activity = activity_by_id(connection, activity_id)
    if activity is None or activity.kind != KIND or activity.context_id != launch.context_id:
        raise NotFound("There is no such activity in this course.", code="activity_not_found")
    if staff and not launch.is_staff:
        raise Forbidden("Only teaching staff can do that.", code="staff_only")
    if learner and launch.is_staff:
        # Staff are not peers: their reviews or ratings would count in learners' grades.
        raise Forbidden("Only learners review and rate reviews here.", code="learners_only")
    return Opened(launch, token, activity, settings_from_dict(activity.settings))


def _now() -> datetime:
    return datetime.now(UTC)


def recorder() -> Recorder:
    svc = services()
    return Recorder(
        routes=svc.xapi_routes, base_url=svc.settings.base_url, strict=svc.settings.is_development
    )


def _window(opened: Opened) -> SubmissionWindow:
    with services().engine.connect() as connection:
        found = grading.phase(connection, opened.activity.id)
    return SubmissionWindow(
        opens=opened.settings.submissions_open,
        due=opened.settings.submissions_due,
        late_allowed=opened.settings.late_submissions,
        allocated=found is not None and found.allocated_at is not None,
    )


def _reviews_open(settings: PeerReviewSettings, now: datetime) -> bool:
    return settings.reviews_due is None or now <= settings.reviews_due


def render_activity(opened: Opened) -> ResponseReturnValue:
    if opened.launch.is_staff:
        from lti_tool.web.peer_review_staff import render_dashboard  # noqa: PLC0415

        return render_dashboard(opened)
    learner = opened.launch.user_id
    with services().engine.connect() as connection:
        submission_id = submissions.submission_of(connection, opened.activity.id, learner)
        work = submissions.latest_work(connection, submission_id) if submission_id else None
        todo = reviews.assignments(connection, activity_id=opened.activity.id, reviewer_id=learner)
        found = grading.phase(connection, opened.activity.id)
        released = found is not None and found.released_at is not None
        volunteering = reassignments.is_volunteer(connection, opened.activity.id, learner)
        calibration_gate = calibration_attempts.gate(
            connection, activity_id=opened.activity.id, settings=opened.settings, learner_id=learner
        )
        feedback = (
            reviews.received(connection, submission_id=submission_id)
            if released and submission_id
            else []
        )
        grade = grading.released_grade(connection, opened.activity, opened.settings, learner)
        anonymity = opened.settings.anonymity
        authors = identities.author_names(
            connection, anonymity, [t.submission_id for t in todo if t.kind != "self"]
        )
        reviewers = identities.reviewer_names(
            connection, anonymity, [r.assessment_id for r in feedback if r.kind != "self"]
        )
    return render_template(
        "peer_review/learner.html",
        author_names=authors,
        reviewer_names=reviewers,
        token=opened.token,
        activity=opened.activity,
        settings=opened.settings,
        work=work,
        todo=todo,
        feedback=[item for item in feedback if not item.hidden],
        grade=grade,
        released=released,
        window=_window(opened),
        now=_now(),
        volunteering=volunteering,
        calibration_gate=calibration_gate,
        file_kinds=[FILE_TYPES[key] for key in _accepted_files(opened.settings)],
    )


def _accepted_files(settings: PeerReviewSettings) -> list[str]:
    wanted = {item.lower().lstrip(".") for item in settings.file_types}
    return [
        key for key, kind in FILE_TYPES.items() if {key, kind.extension, kind.media_type} & wanted
    ]


def launch_page(launched: ActivityLaunch) -> ResponseReturnValue:
    opened = Opened(
        launched.launch,
        launched.token,
        launched.activity,
        settings_from_dict(launched.activity.settings),
    )
    return render_activity(opened)


def submission_review_page(request_: SubmissionReview) -> ResponseReturnValue:
    """From the LMS gradebook: one learner's work, the reviews received and given, and
    the grade breakdown, for staff (the launch already refused anyone else)."""
    activity = request_.activity
    settings = settings_from_dict(activity.settings)
    learner = request_.learner_id
    with services().engine.connect() as connection:
        submission_id = (
            submissions.submission_of(connection, activity.id, learner) if learner else None
        )
        work = submissions.latest_work(connection, submission_id) if submission_id else None
        received = (
            reviews.received(connection, submission_id=submission_id) if submission_id else []
        )
        given = (
            reviews.assignments(connection, activity_id=activity.id, reviewer_id=learner)
            if learner
            else []
        )
        grade = grading.released_grade(connection, activity, settings, learner) if learner else None
        if learner and grade is None:
            # Before release staff see the provisional grade, computed for this view.
            grade = grading.compute_grades(connection, activity, settings).get(learner)
    return render_template(
        "peer_review/submission_review.html",
        token=request_.token,
        activity=activity,
        settings=settings,
        learner_name=request_.learner_name,
        work=work,
        received=received,
        given=given,
        grade=grade,
        show_names=True,
    )


PAGES = KindPages(launch=launch_page, submission_review=submission_review_page)


@peer_review.get("/app/peer-review/<int:activity_id>")
def activity_page(activity_id: int) -> ResponseReturnValue:
    return render_activity(_open(activity_id))


@peer_review.post("/app/peer-review/<int:activity_id>/submission")
def submit(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id)
    if opened.launch.is_staff:
        raise Forbidden("Staff do not submit work here.", code="staff_submission")
    settings, svc = opened.settings, services()
    markdown = request.form.get("text", "")
    text_html = sanitise(_MARKDOWN.render(markdown)) if markdown.strip() else None
    link = request.form.get("link", "").strip() or None
    if link and not link.startswith(("https://", "http://")):
        raise BadRequest("A link must start with https:// or http://.", code="bad_link")
    if link and len(link) > 2048:
        raise BadRequest("That link is too long.", code="bad_link")
    files = [item for item in request.files.getlist("files") if item.filename]
    if len(files) > MAX_FILES:
        raise BadRequest(f"At most {MAX_FILES} files at once.", code="too_many_files")
    store = FileStore(svc.settings.files_dir)
    allowed = frozenset(_accepted_files(settings))
    stored: list[submissions.Upload] = []
    try:
        for item in files:
            saved = store.save(item.stream, max_bytes=settings.max_file_bytes, allowed=allowed)
            stored.append(submissions.Upload(saved, display_name(item.filename or "", saved.kind)))
        now = _now()
        with svc.engine.begin() as connection:
            receipt = submissions.submit(
                connection,
                activity_id=opened.activity.id,
                author_id=opened.launch.user_id,
                window=_window(opened),
                accepts=frozenset(kind.value for kind in settings.submission_types),
                text_html=text_html,
                link_url=link,
                uploads=stored,
                now=now,
                recorder=recorder(),
                group_key=groups.groups_of(connection, opened.activity.id).get(
                    opened.launch.user_id
                ),
            )
            grading.publish_submitted(
                connection, activity=opened.activity, author_id=opened.launch.user_id, now=now
            )
    except Exception:
        for upload in stored:  # nothing recorded: nothing kept
            store.remove(upload.stored.storage_key)
        raise
    return redirect(
        url_for(
            "peer_review.activity_page",
            activity_id=activity_id,
            ls=opened.token,
            submitted=receipt.version,
        ),
        code=303,
    )


def require_calibrated(opened: Opened) -> None:
    """Learners review only once calibrated, when the activity asks for it (else 403)."""
    if opened.settings.calibration and not opened.launch.is_staff:
        with services().engine.connect() as connection:
            calibration_attempts.require_calibrated(
                connection, opened.activity.id, opened.settings, opened.launch.user_id
            )


def _rubric_form() -> tuple[dict[str, float], dict[str, str]]:
    chosen: dict[str, float] = {}
    comments: dict[str, str] = {}
    for name, value in request.form.items():
        if name.startswith("score-") and value != "":
            try:
                chosen[name.removeprefix("score-")] = float(value)
            except ValueError:
                raise BadRequest("A score must be one of the offered levels.") from None
        elif name.startswith("comment-"):
            comments[name.removeprefix("comment-")] = value
    return chosen, comments


@peer_review.get("/app/peer-review/<int:activity_id>/files/<int:file_id>")
def download(activity_id: int, file_id: int) -> Response:
    opened = _open(activity_id)
    with services().engine.connect() as connection:
        found = connection.execute(
            select(
                SubmissionFile.storage_key,
                SubmissionFile.original_name,
                SubmissionFile.media_type,
                Submission.author_id,
                Submission.id.label("submission_id"),
            )
            .join(SubmissionVersion, SubmissionVersion.id == SubmissionFile.version_id)
            .join(Submission, Submission.id == SubmissionVersion.submission_id)
            .where(SubmissionFile.id == file_id, Submission.activity_id == activity_id)
        ).one_or_none()
        reviewer = (
            found is not None
            and connection.execute(
                select(Allocation.id).where(
                    Allocation.submission_id == found.submission_id,
                    Allocation.reviewer_id == opened.launch.user_id,
                    Allocation.state != "removed",
                )
            ).first()
            is not None
        )
    own = found is not None and found.author_id == opened.launch.user_id
    if found is None or not (own or reviewer or opened.launch.is_staff):
        raise NotFound("There is no such file for you here.", code="file_not_found")
    if not own:
        require_calibrated(opened)
    kind = next(k for k in FILE_TYPES.values() if k.media_type == found.media_type)
    # Reviewers get a neutral name: an author's file name often carries their name.
    name = download_name(
        found.original_name, kind.extension, own_or_staff=own or opened.launch.is_staff
    )
    path = FileStore(services().settings.files_dir).path(found.storage_key)
    response = send_file(path, mimetype=found.media_type, as_attachment=True, download_name=name)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
