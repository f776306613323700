"""JSON API for staff: send a learner's grade for an activity to the LMS gradebook.

``POST /api/activities/<id>/grades`` with the launch session header; answers 202 once the
score is queued in the outbox (the LMS receives it when it is reachable), or a problem
document saying what is wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request
from marshmallow import Schema, ValidationError, fields, validate

from lti_tool.courses.grade_passback import publish_grade
from lti_tool.domain.errors import BadRequest, Forbidden, NotFound
from lti_tool.domain.grading import (
    COMMENT_LIMIT,
    ActivityProgress,
    Grade,
    GradingProgress,
    InvalidGrade,
)
from lti_tool.persistence.models import Activity
from lti_tool.web.context import current_launch, db, services

grade_api = Blueprint("grade_api", __name__)


class GradeRequest(Schema):
    user_id = fields.Integer(required=True, strict=True)
    score_given = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    activity_progress = fields.Enum(ActivityProgress, by_value=True, required=True)
    grading_progress = fields.Enum(GradingProgress, by_value=True, required=True)
    comment = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=COMMENT_LIMIT)
    )


@grade_api.post("/api/activities/<int:activity_id>/grades")
def send_grade(activity_id: int) -> tuple[Response, int]:
    launch, _token = current_launch()
    if not launch.is_staff:
        raise Forbidden("Only teaching staff can send grades.", code="not_staff")
    activity = db().get(Activity, activity_id)
    if activity is None or activity.context_id != launch.context_id:
        # Another course's activity is as good as absent to this session.
        raise NotFound("There is no such activity in this course.", code="activity_not_found")
    try:
        body = GradeRequest().load(request.get_json(silent=True) or {})
        grade = Grade(
            score_given=body["score_given"],
            score_maximum=activity.score_maximum or 0,
            activity_progress=body["activity_progress"],
            grading_progress=body["grading_progress"],
            comment=body["comment"],
        )
    except ValidationError as error:
        raise BadRequest(
            f"The grade is not valid: {error.messages}", code="invalid_grade"
        ) from None
    except InvalidGrade as error:
        raise BadRequest(str(error), code="invalid_grade") from None
    with services().engine.begin() as connection:
        publish_grade(
            connection,
            activity_id=activity.id,
            user_id=body["user_id"],
            grade=grade,
            at=datetime.now(UTC),
        )
    return jsonify({"status": "queued"}), 202
