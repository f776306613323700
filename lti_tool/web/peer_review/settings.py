"""Editing a placed peer review activity's settings (staff only).

``GET`` shows the picker's form for the kind, filled in with the current settings;
``POST`` applies what may still change (:mod:`lti_tool.peer_review.settings_edit`) or
answers 422 with the form and a message on each field that cannot change. A new title
or number of points is then sent to the LMS's gradebook column, when there is one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue

from lti_tool.domain.activities import ActivityKind, FieldType, SettingsInvalid
from lti_tool.domain.peer_review.settings_form import settings_to_values
from lti_tool.lti.ags import AgsClient
from lti_tool.peer_review import settings_edit
from lti_tool.web.context import services
from lti_tool.web.forms import kind_values
from lti_tool.web.kind_choices import course_form
from lti_tool.web.peer_review.context import (
    KIND,
    Opened,
    back_to_activity,
    now,
    open_activity,
    recorder,
)


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
    has_submissions, has_reviews = settings_edit.work_started_in(
        services().engine, opened.activity.id
    )
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


def edit_settings(activity_id: int) -> ResponseReturnValue:
    opened = open_activity(activity_id, staff=True)
    svc = services()
    plain = svc.kinds.get(KIND)
    context_id = opened.activity.context_id
    if request.method == "GET":
        kind, _none = course_form(plain, context_id)
        return _page(opened, kind, _form_values(kind, settings_to_values(opened.settings)), {})
    kind, submitted = course_form(plain, context_id, kind_values(plain))
    try:
        change, lms_has_it = settings_edit.change_settings(
            svc.engine,
            activity=opened.activity,
            kind=kind,
            old=opened.settings,
            submitted=submitted,
            staff_id=opened.launch.user_id,
            platform_id=opened.launch.platform_id,
            ags=AgsClient(svc.service_tokens),
            registrations=svc.registrations,
            now=now(),
            recorder=recorder(),
        )
    except SettingsInvalid as invalid:
        return _page(opened, kind, submitted, invalid.errors), 422
    notice = "settings-saved" if change.changes else "settings-unchanged"
    if not lms_has_it:
        notice = "settings-saved-lms-not"
    return back_to_activity(opened, notice=notice)
