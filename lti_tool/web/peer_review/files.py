"""Downloading a submitted file: its author, its reviewers (once calibrated) and staff."""

from __future__ import annotations

from flask import Response, send_file

from lti_tool.file_store import FileStore
from lti_tool.peer_review.downloads import submission_file
from lti_tool.web.context import services
from lti_tool.web.peer_review.context import open_activity, require_calibrated


def download(activity_id: int, file_id: int) -> Response:
    opened = open_activity(activity_id)
    svc = services()
    found = submission_file(
        svc.engine,
        activity_id=activity_id,
        file_id=file_id,
        user_id=opened.launch.user_id,
        is_staff=opened.launch.is_staff,
    )
    if not found.own:
        require_calibrated(opened)
    path = FileStore(svc.settings.files_dir).path(found.storage_key)
    response = send_file(
        path, mimetype=found.media_type, as_attachment=True, download_name=found.name
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
