"""LTI endpoints: login initiation, launch, our key set and registration helpers."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue

from lti_tool import learning_records
from lti_tool.domain.errors import LaunchRefused
from lti_tool.domain.launch import parse_launch
from lti_tool.domain.roles import CourseRole, is_administrator
from lti_tool.events import launched_statement
from lti_tool.launch_session import LaunchSession
from lti_tool.lti.launch import PeerlearnMessageLaunch
from lti_tool.lti.login import PeerlearnOIDCLogin
from lti_tool.lti.records import record_launch
from lti_tool.lti.storage import pylti_request
from lti_tool.lti.tool_conf import SqlToolConf
from lti_tool.web.app_views import CoursePage, render_home
from lti_tool.web.context import services
from lti_tool.web.platform_storage_views import render_storage_login

lti = Blueprint("lti", __name__)

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]


def tool_urls() -> dict[str, str]:
    settings = services().settings
    return {
        "login": settings.url_for_path("/lti/login"),
        "launch": settings.url_for_path("/lti/launch"),
        "jwks": settings.url_for_path("/.well-known/jwks.json"),
        "config": settings.url_for_path("/lti/config"),
        "canvas": settings.url_for_path("/lti/canvas.json"),
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
    claims = parse_launch(message_launch.launch_claims())
    if claims.message_type != "LtiResourceLinkRequest":
        raise LaunchRefused(
            f"Peerlearn cannot open a {claims.message_type or 'message'} launch yet.",
            code="unsupported_message_type",
        )
    # The launch's records and its "launched" statement commit together, or neither does.
    with svc.engine.begin() as connection:
        record = record_launch(
            connection,
            platform_id=message_launch.platform_id(),
            deployment_pk=message_launch.deployment_pk(),
            claims=claims,
        )
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
    )
    return render_home(page, svc.launch_sessions.issue(launch_session))


@lti.get("/.well-known/jwks.json")
def jwks() -> Response:
    response = jsonify(services().key_ring.jwks())
    # Platforms cache this; a short max-age lets a rotation reach them quickly.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@lti.get("/lti/config")
def config_page() -> str:
    return render_template("config.html", urls=tool_urls(), scopes=SCOPES)


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
                        "placements": [
                            {
                                "placement": "course_navigation",
                                "message_type": "LtiResourceLinkRequest",
                                "target_link_uri": urls["launch"],
                                "text": "Peerlearn",
                                "default": "enabled",
                                "windowTarget": "_self",
                            }
                        ],
                    },
                }
            ],
            "custom_fields": {"canvas_course_id": "$Canvas.course.id"},
        }
    )
