"""Pages a launched user sees; every one needs the launch session, never a cookie."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from lti_tool.domain.errors import BadRequest, SessionExpired
from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.domain.roles import CourseRole
from lti_tool.launch_session import LaunchSession
from lti_tool.persistence.models import Activity, Context, ResourceLink, User
from lti_tool.web.context import current_launch, db, services

app_pages = Blueprint("app_pages", __name__)

MAX_DISPLAY_NAME = 120


@dataclass(frozen=True)
class CoursePage:
    """What the launched page shows: who, where, and in which role."""

    name: str
    role: CourseRole
    expires_at: int
    has_context: bool = False
    context_title: str | None = None
    context_label: str | None = None
    link_title: str | None = None
    activity_title: str | None = None
    activity_kind: str | None = None


def _load(launch: LaunchSession) -> tuple[User, CoursePage]:
    # One round trip for the person, the course and the placement the session names.
    row = (
        db()
        .execute(
            select(User, Context, ResourceLink, Activity)
            .select_from(User)
            .outerjoin(Context, Context.id == launch.context_id)
            .outerjoin(ResourceLink, ResourceLink.id == launch.resource_link_id)
            .outerjoin(Activity, Activity.id == ResourceLink.activity_id)
            .where(User.id == launch.user_id, User.platform_id == launch.platform_id)
        )
        .one_or_none()
    )
    if row is None:
        raise SessionExpired("Your account is no longer known here.", code="session_invalid")
    user, context, link, activity = row
    kinds = services().kinds
    person = PersonClaims(
        sub=user.sub, name=user.name, given_name=user.given_name, family_name=user.family_name
    )
    return user, CoursePage(
        name=display_name(person, user.display_name),
        role=CourseRole(launch.course_role),
        expires_at=services().launch_sessions.expires_at(launch),
        has_context=context is not None,
        context_title=context.title if context else None,
        context_label=context.label if context else None,
        link_title=link.title if link else None,
        activity_title=activity.title if activity else None,
        activity_kind=(
            kinds.get(activity.kind).title if activity and activity.kind in kinds else None
        ),
    )


def render_home(page: CoursePage, token: str) -> str:
    return render_template("home.html", token=token, page=page)


@app_pages.get("/app")
def home() -> str:
    launch, token = current_launch()
    return render_home(_load(launch)[1], token)


@app_pages.get("/app/profile")
def profile() -> str:
    launch, token = current_launch()
    user, page = _load(launch)
    return render_template(
        "profile.html", token=token, saved=request.args.get("saved") == "1", user=user, page=page
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
    page = _load(launch)[1]
    return jsonify(
        {
            "name": page.name,
            "course": page.context_title,
            "role": launch.course_role,
            "expires_at": page.expires_at,
        }
    )
