"""The activity picker a teacher sees after an ``LtiDeepLinkingRequest``.

Only staff reach it: the launch refuses learners, and every page here checks the launch
session is a staff session of a deep-linking launch. The selection (the activities picked
so far) lives in the ephemeral store under the launch; activities are created in the
database only when the selection is returned to the LMS, and only once
(:mod:`lti_tool.courses.placements`).
"""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from marshmallow import fields

from lti_tool.courses import placements
from lti_tool.domain.activities import ActivityKind, SettingsInvalid, UnknownKind
from lti_tool.domain.course_choices import without_course_choices
from lti_tool.domain.errors import BadRequest, Forbidden, NotFound, SessionExpired
from lti_tool.launch_session import LaunchSession
from lti_tool.lti.deep_linking import (
    DeepLinkingRequest,
    content_item,
    read_request,
    response_token,
)
from lti_tool.lti.launch import DEPLOYMENT_ID, cached_launch
from lti_tool.persistence.models import Platform
from lti_tool.web.context import current_launch, db, services
from lti_tool.web.forms import Form, kind_values, load
from lti_tool.web.kind_choices import course_form


class ThenForm(Form):
    """After adding an activity: pick another, or (``then=return``) return to the LMS."""

    then = fields.String(load_default="")


def _deep_linking() -> tuple[LaunchSession, str, DeepLinkingRequest, dict[str, Any]]:
    """The staff deep-linking launch behind this request, or a 4xx error."""
    launch, token = current_launch()
    if not launch.is_staff:
        raise Forbidden("Only teaching staff can add Peerlearn activities.", code="not_staff")
    claims = cached_launch(services().store, launch.launch_id)
    if claims is None:
        raise SessionExpired("This activity picker has expired.", code="picker_expired")
    if claims.get("https://purl.imsglobal.org/spec/lti/claim/message_type") != (
        "LtiDeepLinkingRequest"
    ):
        raise Forbidden(
            "Activities can be added only from your LMS's activity picker.",
            code="not_deep_linking",
        )
    return launch, token, read_request(claims), claims


def _kind(key: str) -> ActivityKind:
    try:
        return services().kinds.get(key)
    except UnknownKind:
        raise NotFound(f"There is no kind of activity called {key!r}.") from None


def render_picker(token: str, deep_linking: DeepLinkingRequest, launch: LaunchSession) -> str:
    kinds = services().kinds
    chosen = [
        {"title": item["values"].get("title", ""), "kind": _kind(item["kind"]).title}
        for item in placements.selection(services().store, launch.launch_id)
    ]
    return render_template(
        "deep_linking.html",
        token=token,
        kinds=kinds.all(),
        chosen=chosen,
        request_settings=deep_linking,
    )


def choose() -> str:
    launch, token, deep_linking, _claims = _deep_linking()
    return render_picker(token, deep_linking, launch)


def settings_form(kind_key: str) -> str:
    launch, token, deep_linking, _claims = _deep_linking()
    kind, _none = course_form(_kind(kind_key), launch.context_id)
    return render_template(
        "deep_linking_form.html",
        token=token,
        kind=kind,
        values=kind.defaults(),
        errors={},
        request_settings=deep_linking,
    )


def add(kind_key: str) -> ResponseReturnValue:
    launch, token, deep_linking, claims = _deep_linking()
    plain = _kind(kind_key)
    kind, submitted = course_form(plain, launch.context_id, kind_values(plain))
    then = load(ThenForm())["then"]
    try:
        kind.build(submitted)
    except SettingsInvalid as invalid:
        page = render_template(
            "deep_linking_form.html",
            token=token,
            kind=kind,
            values=submitted,
            errors=invalid.errors,
            request_settings=deep_linking,
        )
        return page, 422
    svc = services()
    # Course options have filled what they fill; the plain kind rebuilds the rest.
    placements.add_to_selection(
        svc.store,
        launch.launch_id,
        {"kind": kind.key, "values": without_course_choices(kind, submitted)},
        ttl_seconds=svc.launch_sessions.max_age_seconds,
    )
    if then == "return" or not deep_linking.accept_multiple:
        return _return_selection(launch, deep_linking, claims)
    return redirect(url_for("lti.picker", ls=token), code=303)


def finish() -> ResponseReturnValue:
    launch, _token, deep_linking, claims = _deep_linking()
    return _return_selection(launch, deep_linking, claims)


def cancel() -> ResponseReturnValue:
    launch, _token, deep_linking, claims = _deep_linking()
    placements.clear_selection(services().store, launch.launch_id)
    return _return_selection(launch, deep_linking, claims)


def _return_selection(
    launch: LaunchSession, deep_linking: DeepLinkingRequest, claims: dict[str, Any]
) -> str:
    svc = services()
    picked = placements.selection(svc.store, launch.launch_id)
    if picked and not deep_linking.accepts_links:
        raise BadRequest(
            "Your LMS does not accept Peerlearn activities from this place.",
            code="links_not_accepted",
        )
    if picked and launch.context_id is None:
        raise BadRequest(
            "Activities can be added only inside a course.", code="deep_linking_without_course"
        )
    plans = [_kind(item["kind"]).build(item["values"]) for item in picked]
    if not deep_linking.accept_multiple:
        plans = plans[:1]
    keys = placements.place_activities(
        svc.engine,
        svc.store,
        launch_id=launch.launch_id,
        context_id=launch.context_id,
        created_by=launch.user_id,
        plans=plans,
        ttl_seconds=svc.launch_sessions.max_age_seconds,
    )
    launch_url = svc.settings.url_for_path("/lti/launch")
    items = [
        content_item(
            plan,
            activity_key=key,
            launch_url=launch_url,
            with_line_item=deep_linking.accept_lineitem,
        )
        for plan, key in zip(plans, keys, strict=True)
    ]
    registration = db().get(Platform, launch.platform_id)
    if registration is None:
        raise SessionExpired("This LMS is no longer registered.", code="platform_gone")
    jwt = response_token(
        svc.key_ring,
        client_id=registration.client_id,
        platform_issuer=registration.issuer,
        deployment_id=str(claims.get(DEPLOYMENT_ID, "")),
        request=deep_linking,
        items=items,
        message=_message(len(items)),
    )
    return render_template("deep_linking_return.html", action=deep_linking.return_url, jwt=jwt)


def _message(count: int) -> str:
    if count == 0:
        return "No Peerlearn activity was added."
    return "Added 1 Peerlearn activity." if count == 1 else f"Added {count} Peerlearn activities."
