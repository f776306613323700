"""Pages a launched user sees; every one needs the launch session, never a cookie."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import BadRequest, SessionExpired
from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.domain.roles import CourseRole
from lti_tool.launch_session import PARAM, LaunchSession
from lti_tool.persistence.models import Context, ResourceLink, User
from lti_tool.web.context import db, services

app_pages = Blueprint("app_pages", __name__)

MAX_DISPLAY_NAME = 120


def current_launch() -> tuple[LaunchSession, str]:
    svc = services()
    session = svc.launch_sessions.from_request(request)
    token = request.headers.get("X-Peerlearn-Session") or request.values.get(PARAM, "")
    return session, token


def _page_data(launch: LaunchSession) -> dict[str, object]:
    session = db()
    user = session.get(User, launch.user_id)
    if user is None or user.platform_id != launch.platform_id:
        raise SessionExpired("Your account is no longer known here.", code="session_invalid")
    context = session.get(Context, launch.context_id) if launch.context_id else None
    link = session.get(ResourceLink, launch.resource_link_id) if launch.resource_link_id else None
    person = PersonClaims(
        sub=user.sub,
        name=user.name,
        given_name=user.given_name,
        family_name=user.family_name,
        email=user.email,
    )
    return {
        "user": user,
        "name": display_name(person, user.display_name),
        "context": context,
        "link": link,
        "role": CourseRole(launch.course_role),
        "expires_at": services().launch_sessions.expires_at(launch),
    }


@app_pages.get("/app")
def home() -> str:
    launch, token = current_launch()
    return render_template("home.html", token=token, **_page_data(launch))


@app_pages.get("/app/profile")
def profile() -> str:
    launch, token = current_launch()
    return render_template(
        "profile.html", token=token, saved=request.args.get("saved") == "1", **_page_data(launch)
    )


@app_pages.post("/app/profile")
def save_profile() -> ResponseReturnValue:
    launch, token = current_launch()
    chosen = " ".join(request.form.get("display_name", "").split())
    if len(chosen) > MAX_DISPLAY_NAME:
        raise BadRequest(
            f"A display name can have at most {MAX_DISPLAY_NAME} characters.",
            code="display_name_too_long",
        )
    session = db()
    user = session.get(User, launch.user_id)
    if user is None:
        raise SessionExpired("Your account is no longer known here.", code="session_invalid")
    user.display_name = chosen or None
    session.commit()
    return redirect(url_for("app_pages.profile", ls=token, saved="1"), code=303)


@app_pages.get("/api/session")
def session_status() -> Response:
    launch, _token = current_launch()
    data = _page_data(launch)
    context = data["context"]
    return jsonify(
        {
            "name": data["name"],
            "course": getattr(context, "title", None),
            "role": launch.course_role,
            "expires_at": data["expires_at"],
        }
    )
