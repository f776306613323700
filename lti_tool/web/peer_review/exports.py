"""Staff download the activity's grades and reviews as spreadsheets (CSV)."""

from __future__ import annotations

from flask import Response

from lti_tool.peer_review.exports import grades_csv, reviews_csv
from lti_tool.web.context import services
from lti_tool.web.peer_review.context import open_activity


def _csv(text: str, filename: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_grades(activity_id: int) -> Response:
    opened = open_activity(activity_id, staff=True)
    text = grades_csv(services().engine, activity=opened.activity, settings=opened.settings)
    return _csv(text, "peer-review-grades.csv")


def export_reviews(activity_id: int) -> Response:
    opened = open_activity(activity_id, staff=True)
    text = reviews_csv(services().engine, activity=opened.activity, settings=opened.settings)
    return _csv(text, "peer-review-reviews.csv")
