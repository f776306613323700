"""The LTI launch: validate the message (pylti1p3), record it (one operation), issue the
launch session and open what the launch asks for: the activity picker, one learner's work,
an activity kind's own page or Peerlearn's course page."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from lti_tool.courses.activities import PlacedActivity
from lti_tool.courses.launches import read_message, record_launch, reviewed_learner
from lti_tool.domain.errors import NotFound
from lti_tool.domain.launch import parse_launch
from lti_tool.domain.roles import CourseRole, is_administrator
from lti_tool.launch_session import LaunchSession
from lti_tool.lti.launch import PeerlearnMessageLaunch
from lti_tool.lti.storage import pylti_request
from lti_tool.lti.tool_conf import SqlToolConf
from lti_tool.web.context import services
from lti_tool.web.courses.home import CoursePage, render_home
from lti_tool.web.kind_pages import ActivityLaunch, SubmissionReview, pages_for
from lti_tool.web.lti.deep_linking import render_picker


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
    message = read_message(claims, raw_claims)
    recorded = record_launch(
        svc.engine,
        message=message,
        claims=claims,
        raw_claims=raw_claims,
        launch_id=message_launch.get_launch_id(),
        platform=message_launch.registration().platform,
        deployment_pk=message_launch.deployment_pk(),
        base_url=svc.settings.base_url,
        routes=svc.xapi_routes,
        strict=svc.settings.is_development,
        roster_interval=timedelta(minutes=svc.settings.roster_sync_minutes),
        now=datetime.now(UTC),
    )
    record, activity = recorded.record, recorded.activity
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
    if message.deep_linking is not None:
        return render_picker(token, message.deep_linking, launch_session)
    if message.reviewed is not None:
        return _submission_review(activity, launch_session, token, message.reviewed)
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
    learner = reviewed_learner(
        svc.engine, platform_id=launch_session.platform_id, for_user=for_user
    )
    return pages.submission_review(
        SubmissionReview(
            activity=activity,
            launch=launch_session,
            token=token,
            learner_sub=learner.sub,
            learner_id=learner.user_id,
            learner_name=learner.name,
        )
    )
