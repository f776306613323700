"""The second gradebook column of an activity that grades reviewing on its own.

Deep linking creates the activity's own column (submission grade). The reviewing column
is created here, through Assignment and Grade Services, the first time grades are
released, and remembered on the activity's phase.
"""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.errors import PeerlearnError
from lti_tool.domain.peer_review.settings import REVIEWING_TAG, GradeLines, PeerReviewSettings
from lti_tool.lti.ags import AgsClient
from lti_tool.lti.registrations import RegistrationDirectory
from lti_tool.peer_review.grading import ensure_phase, phase
from lti_tool.persistence.models import Context, Deployment, Platform
from lti_tool.persistence.peer_review_models import ReviewPhase


class NoLineItemService(PeerlearnError):
    code = "no_line_item_service"
    status = 409
    title = "The LMS offers no way to add a gradebook column here"
    advice = "Open the activity once from the course as staff, then release again."


def ensure_review_column(
    engine: Engine,
    *,
    activity: PlacedActivity,
    settings: PeerReviewSettings,
    ags: AgsClient,
    registrations: RegistrationDirectory,
) -> str | None:
    """The reviewing column's URL, creating it in the LMS when needed (outside any
    transaction: the LMS is called over HTTP)."""
    if settings.grade_lines is not GradeLines.SEPARATE:
        return None
    with engine.begin() as connection:
        ensure_phase(connection, activity.id)
        found = phase(connection, activity.id)
        if found is not None and found.review_line_item_url:
            return found.review_line_item_url
        place = connection.execute(
            select(Context.lineitems_url, Platform.issuer, Platform.client_id)
            .join(Deployment, Deployment.id == Context.deployment_id)
            .join(Platform, Platform.id == Deployment.platform_id)
            .where(Context.id == activity.context_id)
        ).one()
    registration = registrations.find(place.issuer, place.client_id)
    if not place.lineitems_url or registration is None:
        raise NoLineItemService("This course's LMS has not named its gradebook service.")
    created = ags.create(
        registration,
        place.lineitems_url,
        {
            "scoreMaximum": settings.review_score_maximum,
            "label": f"{activity.title} (reviewing)",
            "resourceId": f"{activity.key}:reviewing",
            "tag": REVIEWING_TAG,
        },
    )
    url = str(created["id"])
    with engine.begin() as connection:
        connection.execute(
            update(ReviewPhase)
            .where(ReviewPhase.activity_id == activity.id)
            .values(review_line_item_url=url)
        )
    return url
