"""One place maps errors to what users see: an HTML page or an RFC 9457 problem document."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from lti_tool.domain.errors import PeerlearnError

log = logging.getLogger("peerlearn.web")


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/.well-known/")) or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", "application/problem+json"]
    )
    return best in {"application/json", "application/problem+json"}


def render_error(*, status: int, code: str, title: str, detail: str, advice: str) -> Response:
    request_id = g.get("request_id", "")
    if wants_json():
        response = jsonify(
            {
                "type": f"https://peerlearn.dev/problems/{code}",
                "title": title,
                "status": status,
                "detail": detail,
                "code": code,
                "request_id": request_id,
            }
        )
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    html = render_template(
        "error.html",
        status=status,
        code=code,
        title=title,
        detail=detail,
        advice=advice,
        request_id=request_id,
    )
    return Response(html, status=status, mimetype="text/html")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(PeerlearnError)
    def _peerlearn_error(error: PeerlearnError) -> Response:
        log.info(
            "request refused",
            extra={
                "code": error.code,
                "detail": error.detail,
                "path": request.path,
                "request_id": g.get("request_id"),
            },
        )
        return render_error(
            status=error.status,
            code=error.code,
            title=error.title,
            detail=error.detail,
            advice=error.advice,
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        return render_error(
            status=status,
            code=f"http_{status}",
            title=error.name,
            detail=error.description or "",
            advice="Reopen the activity from your course.",
        )

    @app.errorhandler(Exception)
    def _unexpected(_error: Exception) -> Response:
        log.exception(
            "unexpected error", extra={"path": request.path, "request_id": g.get("request_id")}
        )
        return render_error(
            status=500,
            code="internal_error",
            title="Peerlearn hit a problem",
            detail="Something went wrong on our side. Nothing you did caused it.",
            advice="Try again. If it keeps happening, tell your teacher and quote the request id.",
        )
