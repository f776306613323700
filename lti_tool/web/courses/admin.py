"""Operations pages for LMS administrators (institution or system Administrator role)."""

from __future__ import annotations

import time

from flask import render_template

from lti_tool.domain.errors import Forbidden
from lti_tool.learning_records.records import TOPIC, all_destinations, destination_name
from lti_tool.outbox import store as outbox
from lti_tool.web.context import current_launch, services


def learning_records_status() -> str:
    launch, token = current_launch()
    if not launch.is_admin:
        raise Forbidden(
            "Only LMS administrators can see delivery of learning records.", code="admin_only"
        )
    with services().engine.connect() as connection:
        destinations = {destination_name(d.id): d for d in all_destinations(connection)}
        rows = outbox.status(connection, topic=TOPIC)
    return render_template(
        "admin_records.html",
        token=token,
        rows=rows,
        destinations=destinations,
        held=outbox.HELD,
        now=time.time(),
    )
