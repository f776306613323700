"""Staff take a peer review activity's groups from the LMS (or stop doing so)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from lti_tool.courses import roster
from lti_tool.domain.errors import BadRequest
from lti_tool.peer_review import audit, lms_groups
from lti_tool.persistence.models import Context
from lti_tool.web.context import services
from lti_tool.web.peer_review_views import _open, peer_review
from lti_tool.web.roster_views import MANUAL_WINDOW


@peer_review.post("/app/peer-review/<int:activity_id>/groups/lms")
def use_lms_groups(activity_id: int) -> ResponseReturnValue:
    opened = _open(activity_id, staff=True)
    context_id = opened.activity.context_id
    use = request.form.get("use") != "0"
    set_lms_id = request.form.get("set") or None
    now = datetime.now(UTC)
    with services().engine.begin() as connection:
        service = connection.execute(
            select(Context.groups_url, Context.groups_synced_at).where(Context.id == context_id)
        ).one()
        if use and not service.groups_url:
            raise BadRequest(
                "Your LMS has not offered this course's groups to Peerlearn.",
                code="no_groups_service",
            )
        if not use:
            lms_groups.stop_using_lms_groups(connection, activity_id=activity_id)
        else:
            lms_groups.use_lms_groups(
                connection,
                activity_id=activity_id,
                context_id=context_id,
                set_lms_id=set_lms_id,
            )
            if service.groups_synced_at is None:
                # Nothing read yet: ask for the roster and groups now, not at the next launch.
                roster.request_sync(
                    connection,
                    platform_id=opened.launch.platform_id,
                    context_id=context_id,
                    now=now,
                    interval=MANUAL_WINDOW,
                    kind="manual",
                )
        # Groups decide who may review whom: a change of their source is on the record.
        audit.record_change(
            connection,
            activity_id=activity_id,
            changed_by=opened.launch.user_id,
            at=now,
            changes={"groups": {"source": "lms" if use else "staff", "set": set_lms_id}},
        )
    return redirect(
        url_for(
            "peer_review.edit_groups",
            activity_id=activity_id,
            ls=opened.token,
            lms="on" if use else "off",
        ),
        code=303,
    )
