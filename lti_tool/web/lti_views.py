"""LTI endpoints: login initiation, launch, our key set and registration helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from lti_tool.courses import roster
from lti_tool.courses.activities import PlacedActivity, activity_for_launch
from lti_tool.domain.course_groups import GROUPS_SCOPE
from lti_tool.domain.errors import Forbidden, LaunchRefused, NotFound
from lti_tool.domain.launch import PersonClaims, display_name, parse_launch
from lti_tool.domain.roles import CourseRole, is_administrator
from lti_tool.domain.roster import sync_due
from lti_tool.launch_session import LaunchSession
from lti_tool.learning_records import records as learning_records
from lti_tool.learning_records.launch_statement import launched_statement
from lti_tool.lti.deep_linking import read_request
from lti_tool.lti.launch import PeerlearnMessageLaunch
from lti_tool.lti.login import PeerlearnOIDCLogin
from lti_tool.lti.records import record_launch
from lti_tool.lti.storage import pylti_request
from lti_tool.lti.tool_conf import SqlToolConf
from lti_tool.persistence.models import User
from lti_tool.web.app_views import CoursePage, render_home
from lti_tool.web.context import db, services
from lti_tool.web.deep_linking_views import render_picker
from lti_tool.web.kind_pages import ActivityLaunch, SubmissionReview, pages_for
from lti_tool.web.platform_storage_views import render_storage_login

lti = Blueprint("lti", __name__)

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
# Asked for in dynamic registration (only where the platform lists it as supported) and
# on the config page; not in Canvas's developer key, which refuses scopes it lacks.
REGISTRATION_SCOPES = [*SCOPES, GROUPS_SCOPE]


def tool_urls() -> dict[str, str]:
    settings = services().settings
    return {
        "login": settings.url_for_path("/lti/login"),
        "launch": settings.url_for_path("/lti/launch"),
        "jwks": settings.url_for_path("/.well-known/jwks.json"),
        "config": settings.url_for_path("/lti/config"),
        "canvas": settings.url_for_path("/lti/canvas.json"),
        "register": settings.url_for_path("/lti/register"),
    }


@lti.route("/lti/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    svc = services()
    urls = tool_urls()
    oidc = PeerlearnOIDCLogin(
        pylti_request(request),
        SqlToolConf(svc.registrations, svc.key_ring),
        states=svc.states,
        base_url=svc.settings.base_url,
        launch_url=urls["launch"],
    )
    start = oidc.begin()
    # With lti_storage_target, a page keeps the state in the platform's window first
    # (LTI Platform Storage); otherwise the usual redirect. Both carry the state's cookie.
    response = render_storage_login(start) if start.storage_target else redirect(start.auth_url)
    oidc.cookies.update_response(response)
    return response


RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"
MESSAGE_TYPES = {RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST, SUBMISSION_REVIEW_REQUEST}
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
FOR_USER = "https://purl.imsglobal.org/spec/lti/claim/for_user"


@lti.post("/lti/launch")
def launch() -> ResponseReturnValue:
    svc = services()
    message_launch = PeerlearnMessageLaunch(
        pylti_request(request),
        SqlToolConf(svc.registrations, svc.key_ring),
        store=svc.store,
        states=svc.states,
        platform_keys=svc.platform_keys,
        base_url=svc.settings.base_url,
        clock_skew_seconds=svc.settings.clock_skew_seconds,
        launch_data_ttl=svc.launch_sessions.max_age_seconds,
    )
    message_launch.validate()
    raw_claims = message_launch.launch_claims()
    claims = parse_launch(raw_claims)
    kind = claims.message_type
    if kind not in MESSAGE_TYPES:
        raise LaunchRefused(
            f"Peerlearn cannot open a {kind or 'message'} launch.",
            code="unsupported_message_type",
        )
    if kind != RESOURCE_LINK_REQUEST and claims.course_role is not CourseRole.STAFF:
        raise Forbidden(
            "Only teaching staff can add activities or review learners' work.",
            code="staff_only_message",
        )
    # Checked before anything is written: a malformed request stores nothing.
    deep_linking = read_request(raw_claims) if kind == DEEP_LINKING_REQUEST else None
    reviewed = _reviewed_learner(raw_claims) if kind == SUBMISSION_REVIEW_REQUEST else None
    # The launch's records and its "launched" statement commit together, or neither does.
    with svc.engine.begin() as connection:
        record = record_launch(
            connection,
            platform_id=message_launch.platform_id(),
            deployment_pk=message_launch.deployment_pk(),
            claims=claims,
        )
        activity = (
            None
            if deep_linking is not None
            else activity_for_launch(
                connection,
                platform_id=message_launch.platform_id(),
                context_id=record.context_id,
                resource_link_id=record.resource_link_id,
                custom=claims.custom,
                line_item_url=_line_item_url(raw_claims),
            )
        )
        if kind == RESOURCE_LINK_REQUEST:
            statement = launched_statement(
                launch_id=message_launch.get_launch_id(),
                claims=claims,
                record=record,
                platform=message_launch.registration().platform,
                base_url=svc.settings.base_url,
                at=datetime.now(UTC),
            )
            learning_records.record(
                connection,
                statement,
                platform_id=message_launch.platform_id(),
                routes=svc.xapi_routes,
                strict=svc.settings.is_development,
            )
        # A staff launch refreshes the course roster now and then, in a worker, never here.
        now, interval = datetime.now(UTC), timedelta(minutes=svc.settings.roster_sync_minutes)
        if record.context_id is not None and sync_due(
            role=record.course_role,
            has_roster_service=record.has_roster_service,
            synced_at=record.roster_synced_at,
            now=now,
            interval=interval,
        ):
            roster.request_sync(
                connection,
                platform_id=message_launch.platform_id(),
                context_id=record.context_id,
                now=now,
                interval=interval,
            )
    launch_session = LaunchSession(
        user_id=record.user_id,
        platform_id=message_launch.platform_id(),
        context_id=record.context_id,
        resource_link_id=record.resource_link_id,
        course_role=record.course_role,
        launch_id=message_launch.get_launch_id(),
        issued_at=int(time.time()),
        is_admin=is_administrator(claims.roles),
    )
    token = svc.launch_sessions.issue(launch_session)
    if deep_linking is not None:
        return render_picker(token, deep_linking, launch_session)
    if reviewed is not None:
        return _submission_review(activity, launch_session, token, reviewed)
    pages = pages_for(svc.kind_pages, activity.kind) if activity else None
    if activity is not None and pages is not None and pages.launch is not None:
        return pages.launch(ActivityLaunch(activity=activity, launch=launch_session, token=token))
    # The launched page comes back at once, saving the browser a redirect; its script
    # swaps the address for /app?ls=..., so a reload is a GET, never a replayed launch.
    page = CoursePage(
        name=record.name,
        role=CourseRole(record.course_role),
        expires_at=svc.launch_sessions.expires_at(launch_session),
        has_context=record.context_id is not None,
        context_title=record.context_title,
        context_label=record.context_label,
        link_title=record.link_title,
        activity_title=activity.title if activity else None,
        activity_kind=_kind_title(activity.kind) if activity else None,
    )
    return render_home(page, token)


def _kind_title(key: str) -> str:
    kinds = services().kinds
    return kinds.get(key).title if key in kinds else key


def _line_item_url(claims: dict[str, Any]) -> str | None:
    endpoint = claims.get(AGS_ENDPOINT)
    found = endpoint.get("lineitem") if isinstance(endpoint, dict) else None
    return found if isinstance(found, str) and found.startswith(("https://", "http://")) else None


def _reviewed_learner(claims: dict[str, Any]) -> dict[str, Any]:
    for_user = claims.get(FOR_USER)
    if not isinstance(for_user, dict) or not isinstance(for_user.get("user_id"), str):
        raise LaunchRefused(
            "The submission review request names no learner (for_user).", code="missing_for_user"
        )
    return for_user


def _submission_review(
    activity: PlacedActivity | None,
    launch_session: LaunchSession,
    token: str,
    for_user: dict[str, Any],
) -> ResponseReturnValue:
    svc = services()
    pages = pages_for(svc.kind_pages, activity.kind) if activity else None
    if activity is None or pages is None or pages.submission_review is None:
        raise NotFound(
            "This placement has no Peerlearn work to review.", code="no_submission_review"
        )
    learner = (
        db()
        .execute(
            select(User.id, User.name, User.given_name, User.family_name, User.display_name).where(
                User.platform_id == launch_session.platform_id, User.sub == for_user["user_id"]
            )
        )
        .one_or_none()
    )
    person = PersonClaims(
        sub=for_user["user_id"],
        name=learner.name if learner else for_user.get("name"),
        given_name=learner.given_name if learner else for_user.get("given_name"),
        family_name=learner.family_name if learner else for_user.get("family_name"),
    )
    return pages.submission_review(
        SubmissionReview(
            activity=activity,
            launch=launch_session,
            token=token,
            learner_sub=for_user["user_id"],
            learner_id=learner.id if learner else None,
            learner_name=display_name(person, learner.display_name if learner else None),
        )
    )


@lti.get("/.well-known/jwks.json")
def jwks() -> Response:
    response = jsonify(services().key_ring.jwks())
    # Platforms cache this; a short max-age lets a rotation reach them quickly.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@lti.get("/lti/config")
def config_page() -> str:
    return render_template("config.html", urls=tool_urls(), scopes=REGISTRATION_SCOPES)


def canvas_placements(launch_url: str) -> list[dict[str, Any]]:
    """Course navigation opens Peerlearn's course page; the two selection placements open
    the activity picker (deep linking) from Canvas's assignment and module editors."""
    selection = {
        "message_type": DEEP_LINKING_REQUEST,
        "target_link_uri": launch_url,
        "selection_width": 900,
        "selection_height": 700,
    }
    return [
        {
            "placement": "course_navigation",
            "message_type": RESOURCE_LINK_REQUEST,
            "target_link_uri": launch_url,
            "text": "Peerlearn",
            "default": "enabled",
            "windowTarget": "_self",
        },
        {"placement": "assignment_selection", "text": "Peerlearn activity", **selection},
        {"placement": "link_selection", "text": "Peerlearn activity", **selection},
    ]


@lti.get("/lti/canvas.json")
def canvas_json() -> Response:
    urls = tool_urls()
    domain = urlsplit(services().settings.base_url).hostname or ""
    return jsonify(
        {
            "title": "Peerlearn",
            "description": (
                "Peer learning: learners share what they know and review each other's work."
            ),
            "oidc_initiation_url": urls["login"],
            "target_link_uri": urls["launch"],
            "public_jwk_url": urls["jwks"],
            "scopes": SCOPES,
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "domain": domain,
                    "tool_id": "peerlearn",
                    # Names let peers and teachers recognise each other; email is not needed.
                    "privacy_level": "name_only",
                    "settings": {
                        "text": "Peerlearn",
                        "placements": canvas_placements(urls["launch"]),
                    },
                }
            ],
            # Course ids help staff match courses in reports; the id history lets
            # Peerlearn tell a copied course from a new one.
            "custom_fields": {
                "canvas_course_id": "$Canvas.course.id",
                "context_id_history": "$Context.id.history",
            },
        }
    )
