"""Every URL of a peer review activity, in one table (``/app/peer-review/<activity_id>``).

Endpoints are ``peer_review.<view name>``. Views live in modules named by what the user
does; this module holds only the rules (and the calibration gate's refusal page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from lti_tool.peer_review.calibration_attempts import CalibrationRequired
from lti_tool.web.peer_review import (
    activity,
    allocating,
    calibrating,
    calibration,
    exports,
    files,
    grading,
    groups,
    moderation,
    queue,
    reviewing,
    rubrics,
    settings,
    submitting,
)

peer_review = Blueprint("peer_review", __name__)

BASE = "/app/peer-review/<int:activity_id>"
GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]

# (path under BASE, view, methods); the endpoint is the view's name.
RULES: list[tuple[str, Callable[..., Any], list[str]]] = [
    # A learner's page (staff: the dashboard), their work and their reviews.
    ("", activity.activity_page, GET),
    ("/submission", submitting.submit, POST),
    ("/files/<int:file_id>", files.download, GET),
    ("/reviews/<int:allocation_id>", reviewing.review, BOTH),
    ("/received/<int:assessment_id>", reviewing.rate_review, POST),
    ("/next", queue.take_next, POST),
    ("/volunteer", queue.offer_to_review, POST),
    # Calibration: learners assess examples; staff keep them.
    ("/calibration", calibrating.calibrate, GET),
    ("/calibration/<int:example_id>", calibrating.calibration_attempt, BOTH),
    ("/calibration/examples", calibration.calibration_examples, BOTH),
    ("/calibration/examples/<int:example_id>", calibration.calibration_example, BOTH),
    (
        "/calibration/examples/<int:example_id>/remove",
        calibration.remove_calibration_example,
        POST,
    ),
    ("/calibration/examples/<int:example_id>/move", calibration.move_calibration_example, POST),
    # Staff run the activity.
    ("/allocate", allocating.allocate_now, POST),
    ("/allocations", allocating.add_reviewer, POST),
    ("/allocations/<int:allocation_id>/remove", allocating.remove_allocation, POST),
    ("/allocations/swap", allocating.swap_reviewers, POST),
    ("/release", grading.release_now, POST),
    ("/overrides", grading.set_override, POST),
    ("/overrides/remove", grading.remove_override, POST),
    ("/flags/<int:assessment_id>", moderation.decide_flag, POST),
    ("/grades.csv", exports.export_grades, GET),
    ("/reviews.csv", exports.export_reviews, GET),
    ("/settings", settings.edit_settings, BOTH),
    ("/rubrics", rubrics.rubrics, BOTH),
    ("/groups", groups.edit_groups, BOTH),
    ("/groups/lms", groups.use_lms_groups, POST),
]

for path, view, methods in RULES:
    peer_review.add_url_rule(BASE + path, view_func=view, methods=methods)

peer_review.register_error_handler(CalibrationRequired, calibrating.calibration_required)
