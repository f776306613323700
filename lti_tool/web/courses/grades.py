"""JSON API for staff: send a learner's grade for an activity to the LMS gradebook.

``POST /api/activities/<id>/grades`` with the launch session header; answers 202 once the
score is queued in the outbox (the LMS receives it when it is reachable), or a problem
document saying what is wrong.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, jsonify
from marshmallow import Schema, ValidationError, fields, validate

from lti_tool.courses.staff_grades import gradebook_points
from lti_tool.courses.staff_grades import send_grade as queue_grade
from lti_tool.domain.errors import BadRequest, Forbidden
from lti_tool.domain.grading import (
    COMMENT_LIMIT,
    ActivityProgress,
    Grade,
    GradingProgress,
    InvalidGrade,
)
from lti_tool.web.context import current_launch, services
from lti_tool.web.forms import ROW_ID_MAX, json_body


class GradeRequest(Schema):
    user_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, ROW_ID_MAX))
    score_given = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    activity_progress = fields.Enum(ActivityProgress, by_value=True, required=True)
    grading_progress = fields.Enum(GradingProgress, by_value=True, required=True)
    comment = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=COMMENT_LIMIT)
    )


def send_grade(activity_id: int) -> tuple[Response, int]:
    launch, _token = current_launch()
    if not launch.is_staff:
        raise Forbidden("Only teaching staff can send grades.", code="not_staff")
    engine = services().engine
    points = gradebook_points(engine, activity_id=activity_id, context_id=launch.context_id)
    try:
        body = GradeRequest().load(json_body() or {})
        grade = Grade(
            score_given=body["score_given"],
            score_maximum=points,
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
    queue_grade(
        engine, activity_id=activity_id, user_id=body["user_id"], grade=grade, at=datetime.now(UTC)
    )
    return jsonify({"status": "queued"}), 202
