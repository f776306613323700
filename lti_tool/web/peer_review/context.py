"""The one place a peer review page opens its activity: the launch session's course must
own it (404 otherwise) and the role a page asks for must match (403 otherwise).

Views also take the clock (:func:`now`) and the xAPI recorder (:func:`recorder`) from
here, so every page reads time and records statements the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.courses.activities import PlacedActivity, activity_by_id
from lti_tool.domain.errors import Forbidden, NotFound
from lti_tool.domain.peer_review.settings import PeerReviewSettings, settings_from_dict
from lti_tool.domain.peer_review.submission_rules import SubmissionWindow
from lti_tool.launch_session import LaunchSession
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review import calibration_attempts, submitting
from lti_tool.web.context import current_launch, services

KIND = "peer-review"


@dataclass(frozen=True)
class Opened:
    """An activity a page may show: the session, its token, the activity, its settings."""

    launch: LaunchSession
    token: str
    activity: PlacedActivity
    settings: PeerReviewSettings


def open_activity(activity_id: int, *, staff: bool = False, learner: bool = False) -> Opened:
    """The activity of this course the session may use, or 404; ``staff``/``learner``
    limit it to that role (403 otherwise)."""
    launch, token = current_launch()
    with services().engine.connect() as connection:
        activity = activity_by_id(connection, activity_id)
    if activity is None or activity.kind != KIND or activity.context_id != launch.context_id:
        raise NotFound("There is no such activity in this course.", code="activity_not_found")
    if staff and not launch.is_staff:
        raise Forbidden("Only teaching staff can do that.", code="staff_only")
    if learner and launch.is_staff:
        # Staff are not peers: their reviews or ratings would count in learners' grades.
        raise Forbidden("Only learners review and rate reviews here.", code="learners_only")
    return Opened(launch, token, activity, settings_from_dict(activity.settings))


def opened_from(launch: LaunchSession, token: str, activity: PlacedActivity) -> Opened:
    """An activity the launch itself opened (already checked by the launch)."""
    return Opened(launch, token, activity, settings_from_dict(activity.settings))


def open_calibration(activity_id: int) -> Opened:
    """The activity for a learner's calibration page: staff keep the examples (403), and
    an activity without calibration has no such page (404)."""
    opened = open_activity(activity_id)
    if opened.launch.is_staff:
        raise Forbidden(
            "Calibration is for learners; staff keep the examples.", code="staff_calibration"
        )
    if not opened.settings.calibration:
        raise NotFound("This activity has no calibration.", code="calibration_off")
    return opened


def require_calibrated(opened: Opened) -> None:
    """Learners review only once calibrated, when the activity asks for it (else 403)."""
    if opened.settings.calibration and not opened.launch.is_staff:
        with services().engine.connect() as connection:
            calibration_attempts.require_calibrated(
                connection, opened.activity.id, opened.settings, opened.launch.user_id
            )


def submission_window(opened: Opened) -> SubmissionWindow:
    """When the activity takes work: its dates, and whether reviews are allocated yet."""
    with services().engine.connect() as connection:
        return submitting.submission_window(connection, opened.activity.id, opened.settings)


def now() -> datetime:
    """The request's clock (UTC)."""
    return datetime.now(UTC)


def recorder() -> Recorder:
    """The xAPI recorder, configured from the app's settings."""
    svc = services()
    return Recorder(
        routes=svc.xapi_routes, base_url=svc.settings.base_url, strict=svc.settings.is_development
    )


def back_to_activity(opened: Opened, **args: Any) -> ResponseReturnValue:
    """Back to the activity page (303), with what the page should say (``notice=...``)."""
    return redirect(
        url_for(
            "peer_review.activity_page", activity_id=opened.activity.id, ls=opened.token, **args
        ),
        code=303,
    )
