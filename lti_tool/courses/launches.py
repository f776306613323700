"""What a validated LTI launch does to the course: one ``record_launch`` operation.

pylti1p3 has checked the message (state, signature, nonce) before this runs. The
launch's rows (platform person, course, placement, membership), the placed activity,
its "launched" statement and, for staff now and then, a roster sync request commit
together, or none do. Which messages are accepted, and from whom, is decided first by
:func:`read_message`, so a malformed request stores nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from lti_tool.courses import roster
from lti_tool.courses.activities import PlacedActivity, activity_for_launch
from lti_tool.domain.errors import Forbidden, LaunchRefused
from lti_tool.domain.launch import LaunchClaims, PersonClaims, display_name, line_item_url
from lti_tool.domain.roles import CourseRole
from lti_tool.domain.roster import sync_due
from lti_tool.learning_records import records as learning_records
from lti_tool.learning_records.launch_statement import launched_statement
from lti_tool.learning_records.records import Routes
from lti_tool.lti import records as lti_records
from lti_tool.lti.deep_linking import DeepLinkingRequest, read_request
from lti_tool.lti.records import LaunchRecord
from lti_tool.lti.registrations import PlatformRegistration
from lti_tool.persistence.models import User

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"
MESSAGE_TYPES = {RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST, SUBMISSION_REVIEW_REQUEST}
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
FOR_USER = "https://purl.imsglobal.org/spec/lti/claim/for_user"


@dataclass(frozen=True)
class LaunchMessage:
    """What kind of launch this is, with what its kind needs."""

    kind: str
    deep_linking: DeepLinkingRequest | None = None
    reviewed: dict[str, Any] | None = None  # the for_user claim of a submission review


def read_message(claims: LaunchClaims, raw_claims: dict[str, Any]) -> LaunchMessage:
    """The launch's message, refused when Peerlearn does not take it or its sender may
    not send it (only staff add activities or review learners' work; observers open
    nothing)."""
    kind = claims.message_type
    if kind not in MESSAGE_TYPES:
        raise LaunchRefused(
            f"Peerlearn cannot open a {kind or 'message'} launch.",
            code="unsupported_message_type",
        )
    if claims.course_role is CourseRole.OBSERVER:
        # A mentor (Canvas's observer, a parent) is neither staff nor a peer, and
        # Peerlearn has no observer pages yet: refused before anything is recorded.
        raise Forbidden(
            "You opened this as a mentor or observer of the course. Peerlearn has no "
            "pages for observers yet: the learners you follow can show you their work.",
            code="observer_launch",
        )
    if kind != RESOURCE_LINK_REQUEST and claims.course_role is not CourseRole.STAFF:
        raise Forbidden(
            "Only teaching staff can add activities or review learners' work.",
            code="staff_only_message",
        )
    return LaunchMessage(
        kind=kind,
        deep_linking=read_request(raw_claims) if kind == DEEP_LINKING_REQUEST else None,
        reviewed=_reviewed_learner(raw_claims) if kind == SUBMISSION_REVIEW_REQUEST else None,
    )


@dataclass(frozen=True)
class RecordedLaunch:
    record: LaunchRecord
    activity: PlacedActivity | None


def record_launch(
    engine: Engine,
    *,
    message: LaunchMessage,
    claims: LaunchClaims,
    raw_claims: dict[str, Any],
    launch_id: str,
    platform: PlatformRegistration,
    deployment_pk: int,
    base_url: str,
    routes: Routes,
    strict: bool,
    roster_interval: timedelta,
    now: datetime,
) -> RecordedLaunch:
    """Store what the launch names, in one transaction (see the module's docstring)."""
    with engine.begin() as connection:
        record = lti_records.record_launch(
            connection, platform_id=platform.id, deployment_pk=deployment_pk, claims=claims
        )
        activity = (
            None
            if message.deep_linking is not None
            else activity_for_launch(
                connection,
                platform_id=platform.id,
                context_id=record.context_id,
                resource_link_id=record.resource_link_id,
                custom=claims.custom,
                line_item_url=line_item_url(raw_claims),
            )
        )
        if message.kind == RESOURCE_LINK_REQUEST:
            statement = launched_statement(
                launch_id=launch_id,
                claims=claims,
                record=record,
                platform=platform,
                base_url=base_url,
                at=now,
            )
            learning_records.record(
                connection, statement, platform_id=platform.id, routes=routes, strict=strict
            )
        # A staff launch refreshes the course roster now and then, in a worker, never here.
        if record.context_id is not None and sync_due(
            role=record.course_role,
            has_roster_service=record.has_roster_service,
            synced_at=record.roster_synced_at,
            now=now,
            interval=roster_interval,
        ):
            roster.request_sync(
                connection,
                platform_id=platform.id,
                context_id=record.context_id,
                now=now,
                interval=roster_interval,
            )
    return RecordedLaunch(record, activity)


@dataclass(frozen=True)
class ReviewedLearner:
    sub: str
    user_id: int | None  # None when the learner never launched Peerlearn
    name: str


def reviewed_learner(
    engine: Engine, *, platform_id: int, for_user: dict[str, Any]
) -> ReviewedLearner:
    """The learner a submission review asks about, named as Peerlearn knows them (or as
    the claim names them, if they never launched)."""
    with engine.connect() as connection:
        learner = connection.execute(
            select(User.id, User.name, User.given_name, User.family_name, User.display_name).where(
                User.platform_id == platform_id, User.sub == for_user["user_id"]
            )
        ).one_or_none()
    person = PersonClaims(
        sub=for_user["user_id"],
        name=learner.name if learner else for_user.get("name"),
        given_name=learner.given_name if learner else for_user.get("given_name"),
        family_name=learner.family_name if learner else for_user.get("family_name"),
    )
    return ReviewedLearner(
        sub=for_user["user_id"],
        user_id=learner.id if learner else None,
        name=display_name(person, learner.display_name if learner else None),
    )


def _reviewed_learner(claims: dict[str, Any]) -> dict[str, Any]:
    for_user = claims.get(FOR_USER)
    if not isinstance(for_user, dict) or not isinstance(for_user.get("user_id"), str):
        raise LaunchRefused(
            "The submission review request names no learner (for_user).", code="missing_for_user"
        )
    return for_user
