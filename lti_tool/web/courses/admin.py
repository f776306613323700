"""Operations pages for LMS administrators (institution or system Administrator role)."""

from __future__ import annotations

import time

from flask import render_template

from lti_tool.domain.errors import Forbidden
from lti_tool.learning_records.records import delivery_overview
from lti_tool.outbox import store as outbox
from lti_tool.web.context import current_launch, services


def learning_records_status() -> str:
    launch, token = current_launch()
    if not launch.is_admin:
        raise Forbidden(
            "Only LMS administrators can see delivery of learning records.", code="admin_only"
        )
    # One platform's administrator sees that platform's LRSs only; the system-wide view
    # (global LRSs, the held queue, every platform) is the CLI's `peerlearn xapi status`.
    overview = delivery_overview(services().engine, platform_id=launch.platform_id)
    return render_template(
        "admin_records.html",
        token=token,
        rows=overview.rows,
        destinations=overview.destinations,
        held=outbox.HELD,
        now=time.time(),
    )
