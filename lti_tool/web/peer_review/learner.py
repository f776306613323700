"""A learner's activity page: their work, what they review, the feedback and the grade."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from lti_tool.domain.files import FILE_TYPES
from lti_tool.peer_review import (
    calibration_attempts,
    grading,
    identities,
    reviews,
    submissions,
)
from lti_tool.peer_review import reassign as reassignments
from lti_tool.peer_review.submitting import accepted_files
from lti_tool.web.context import services
from lti_tool.web.peer_review.context import Opened, now, submission_window


def render_learner_page(opened: Opened) -> ResponseReturnValue:
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
        window=submission_window(opened),
        now=now(),
        volunteering=volunteering,
        calibration_gate=calibration_gate,
        file_kinds=[FILE_TYPES[key] for key in accepted_files(opened.settings)],
    )
