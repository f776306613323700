"""The course page and the profile a launched person sees; every one needs the launch
session, never a cookie."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields
from sqlalchemy import select

from lti_tool.courses.profiles import set_display_name
from lti_tool.domain.errors import SessionExpired
from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.domain.roles import CourseRole
from lti_tool.launch_session import LaunchSession
from lti_tool.persistence.models import Activity, Context, ResourceLink, User
from lti_tool.web.context import current_launch, db, services
from lti_tool.web.forms import Form, load


class ProfileForm(Form):
    display_name = fields.String(load_default="")


class SavedArgs(Form):
    saved = fields.String(load_default="")


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


def home() -> str:
    launch, token = current_launch()
    return render_home(_load(launch)[1], token)


def profile() -> str:
    launch, token = current_launch()
    user, page = _load(launch)
    return render_template(
        "profile.html",
        token=token,
        saved=load(SavedArgs(), request.args)["saved"] == "1",
        user=user,
        page=page,
    )


def save_profile() -> ResponseReturnValue:
    launch, token = current_launch()
    form = load(ProfileForm())
    set_display_name(services().engine, user_id=launch.user_id, chosen=form["display_name"])
    return redirect(url_for("courses.profile", ls=token, saved="1"), code=303)


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
