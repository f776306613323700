"""Editing a placed peer review activity's settings (staff only).

``GET`` shows the picker's form for the kind, filled in with the current settings;
``POST`` applies what may still change (:mod:`lti_tool.peer_review.settings_edit`) or
answers 422 with the form and a message on each field that cannot change. A new title
or number of points is then sent to the LMS's gradebook column, when there is one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from lti_tool.domain.activities import ActivityKind, FieldType, SettingsInvalid
from lti_tool.domain.peer_review.settings_form import settings_to_values
from lti_tool.lti.ags import AgsClient
from lti_tool.peer_review import settings_edit
from lti_tool.persistence.models import Activity, Platform
from lti_tool.web.context import services
from lti_tool.web.kind_choices import course_form
from lti_tool.web.peer_review_views import KIND, Opened, _now, _open, recorder

settings_pages = Blueprint("peer_review_settings", __name__)


def _form_values(kind: ActivityKind, values: dict[str, str]) -> dict[str, str]:
    # <input type=datetime-local> shows only "YYYY-MM-DDTHH:MM[:SS]" (read back as UTC).
    shown = dict(values)
    for field in kind.form:
        text = shown.get(field.name)
        if field.type is FieldType.DATETIME and text:
            moment = datetime.fromisoformat(text).astimezone(UTC)
            shown[field.name] = moment.strftime(
                "%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M"
            )
    return shown


def _page(
    opened: Opened, kind: ActivityKind, values: dict[str, Any], errors: dict[str, str]
) -> str:
    with services().engine.connect() as connection:
        has_submissions, has_reviews = settings_edit.work_started(connection, opened.activity.id)
    return render_template(
        "peer_review/settings.html",
        token=opened.token,
        activity=opened.activity,
        kind=kind,
        values=values,
        errors=errors,
        has_submissions=has_submissions,
        has_reviews=has_reviews,
    )


@settings_pages.route("/app/peer-review/<int:activity_id>/settings", methods=["GET", "POST"])
def edit(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    plain = services().kinds.get(KIND)
    context_id = opened.activity.context_id
    if request.method == "GET":
        kind, _none = course_form(plain, context_id)
        return _page(opened, kind, _form_values(kind, settings_to_values(opened.settings)), {})
    kind, submitted = course_form(
        plain, context_id, {field.name: request.form.get(field.name, "") for field in plain.form}
    )
    try:
        with services().engine.begin() as connection:
            change = settings_edit.edit_settings(
                connection,
                activity=opened.activity,
                kind=kind,
                old=opened.settings,
                submitted=submitted,
                staff_id=opened.launch.user_id,
                now=_now(),
                recorder=recorder(),
            )
    except SettingsInvalid as invalid:
        return _page(opened, kind, submitted, invalid.errors), 422
    notice = "settings-saved" if change.changes else "settings-unchanged"
    if settings_edit.LINE_ITEM_FIELDS & set(change.fields) and not _sync_line_item(opened):
        notice = "settings-saved-lms-not"
    return redirect(
        url_for(
            "peer_review.activity_page", activity_id=activity_id, ls=opened.token, notice=notice
        ),
        code=303,
    )


def _sync_line_item(opened: Opened) -> bool:
    svc = services()
    with svc.engine.connect() as connection:
        found = connection.execute(
            select(Activity.title, Activity.score_maximum, Activity.line_item_url).where(
                Activity.id == opened.activity.id
            )
        ).one()
        platform = connection.execute(
            select(Platform.issuer, Platform.client_id).where(
                Platform.id == opened.launch.platform_id
            )
        ).one_or_none()
    if not found.line_item_url or found.score_maximum is None:
        return True  # no gradebook column yet: the first launch's grades will carry points
    registration = svc.registrations.find(platform.issuer, platform.client_id) if platform else None
    if registration is None:
        return False
    return settings_edit.sync_line_item(
        AgsClient(svc.service_tokens),
        registration,
        found.line_item_url,
        label=found.title,
        score_maximum=found.score_maximum,
    )
