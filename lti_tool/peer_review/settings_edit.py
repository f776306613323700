"""A teacher edits a placed peer review activity's settings.

The form is the one the picker showed; :func:`~lti_tool.domain.peer_review.settings_edits.
diff_settings` decides what may still change once learners have submitted or reviewed.
An accepted edit updates the activity (settings, title, points) and writes an
``activity_change`` row ``{"settings": [{"name", "old", "new"}, ...], "restricted": ...}``;
an edit that changes grading sends the released grades again. A new title or number of
points is then written to the LMS's gradebook column (:func:`sync_line_item`), after the
edit is committed: the LMS being down does not undo the edit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection, Engine, exists, select, update

from lti_tool.courses.activities import PlacedActivity
from lti_tool.domain.activities import ActivityKind
from lti_tool.domain.peer_review.settings import PeerReviewSettings, settings_from_dict
from lti_tool.domain.peer_review.settings_edits import SettingsChange, diff_settings
from lti_tool.learning_records.recorder import Recorder
from lti_tool.lti.ags import AgsClient, AgsError
from lti_tool.lti.registrations import PlatformRegistration, RegistrationDirectory
from lti_tool.peer_review import grading
from lti_tool.peer_review.audit import record_change
from lti_tool.peer_review.lms_groups import kept_settings
from lti_tool.persistence.models import Activity, Platform
from lti_tool.persistence.peer_review_models import Allocation, Assessment, Submission

log = logging.getLogger("peerlearn.peer_review")
LINE_ITEM_FIELDS = frozenset({"title", "score_maximum"})


def work_started(connection: Connection, activity_id: int) -> tuple[bool, bool]:
    """Whether anyone submitted, and whether any review (a draft too) was written."""
    submitted = connection.execute(
        select(exists().where(Submission.activity_id == activity_id))
    ).scalar_one()
    reviewed = connection.execute(
        select(
            exists()
            .where(Assessment.allocation_id == Allocation.id)
            .where(Allocation.activity_id == activity_id)
        )
    ).scalar_one()
    return bool(submitted), bool(reviewed)


def edit_settings(
    connection: Connection,
    *,
    activity: PlacedActivity,
    kind: ActivityKind,
    old: PeerReviewSettings,
    submitted: Mapping[str, str],
    staff_id: int,
    now: datetime,
    recorder: Recorder | None = None,
) -> SettingsChange:
    """Apply the edited form; SettingsInvalid (per field) if it is wrong or forbidden now.

    Nothing is written when nothing changed.
    """
    plan = kind.build(submitted)
    new = settings_from_dict(plan.settings)
    has_submissions, has_reviews = work_started(connection, activity.id)
    change = diff_settings(old, new, has_submissions=has_submissions, has_reviews=has_reviews)
    if not change.changes:
        return change
    connection.execute(
        update(Activity)
        .where(Activity.id == activity.id)
        .values(
            settings={**kept_settings(activity.settings), **plan.settings},
            title=plan.title,
            score_maximum=plan.gradebook.score_maximum if plan.gradebook else None,
        )
    )
    record_change(
        connection,
        activity_id=activity.id,
        changed_by=staff_id,
        at=now,
        changes={
            "settings": [
                {"name": item.name, "old": item.old, "new": item.new} for item in change.changes
            ],
            "restricted": change.restricted,
        },
    )
    if change.affects_grades:
        grading.republish(
            connection,
            activity=activity,
            settings=new,
            learner_ids=None,
            now=now,
            recorder=recorder,
        )
    return change


def sync_line_item(
    ags: AgsClient,
    platform: PlatformRegistration,
    lineitem_url: str,
    *,
    label: str,
    score_maximum: float,
) -> bool:
    """Give the LMS's gradebook column the activity's title and points; False (logged)
    when the LMS refuses or cannot be reached."""
    try:
        item = ags.get(platform, lineitem_url)
        if item.get("label") == label and item.get("scoreMaximum") == score_maximum:
            return True
        ags.update(platform, lineitem_url, {**item, "label": label, "scoreMaximum": score_maximum})
    except AgsError as error:
        log.warning("line item not updated", extra={"url": lineitem_url, "error": str(error)})
        return False
    return True


def change_settings(
    engine: Engine,
    *,
    activity: PlacedActivity,
    kind: ActivityKind,
    old: PeerReviewSettings,
    submitted: Mapping[str, str],
    staff_id: int,
    platform_id: int,
    ags: AgsClient,
    registrations: RegistrationDirectory,
    now: datetime,
    recorder: Recorder | None = None,
) -> tuple[SettingsChange, bool]:
    """Staff change the settings (:func:`edit_settings`, one transaction), then give the
    LMS's gradebook column a new title or points; the flag says whether the LMS has what
    it needs (False: staff should change the column in the LMS too)."""
    with engine.begin() as connection:
        change = edit_settings(
            connection,
            activity=activity,
            kind=kind,
            old=old,
            submitted=submitted,
            staff_id=staff_id,
            now=now,
            recorder=recorder,
        )
    if not LINE_ITEM_FIELDS & set(change.fields):
        return change, True
    return change, _sync_gradebook_column(
        engine,
        activity_id=activity.id,
        platform_id=platform_id,
        ags=ags,
        registrations=registrations,
    )


def _sync_gradebook_column(
    engine: Engine,
    *,
    activity_id: int,
    platform_id: int,
    ags: AgsClient,
    registrations: RegistrationDirectory,
) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            select(Activity.title, Activity.score_maximum, Activity.line_item_url).where(
                Activity.id == activity_id
            )
        ).one()
        platform = connection.execute(
            select(Platform.issuer, Platform.client_id).where(Platform.id == platform_id)
        ).one_or_none()
    if not found.line_item_url or found.score_maximum is None:
        return True  # no gradebook column yet: the first launch's grades will carry points
    registration = registrations.find(platform.issuer, platform.client_id) if platform else None
    if registration is None:
        return False
    return sync_line_item(
        ags,
        registration,
        found.line_item_url,
        label=found.title,
        score_maximum=found.score_maximum,
    )


def work_started_in(engine: Engine, activity_id: int) -> tuple[bool, bool]:
    """:func:`work_started`, in a connection of its own."""
    with engine.connect() as connection:
        return work_started(connection, activity_id)
