"""Grade passback through the durable outbox: scores reach the LMS gradebook, in order.

:func:`publish_grade` queues a learner's grade for an activity: only members of the
activity's course can be graded (a score for anyone else, another course's learner or
someone the roster lists as deleted, is refused before it is queued).

``record_score`` runs in the transaction of the change that produced the grade. The
:class:`GradeWorker` publishes scores per platform in the order they were recorded; when
the LMS cannot take one (down, or refusing tokens) it stops that platform's round there,
so a later score for the same person and line item is never applied before an earlier
one. Scores the LMS refuses outright (400, 404, 422) are dead-lettered with its reason.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, select

from lti_tool.domain.errors import Forbidden, NotFound, PeerlearnError
from lti_tool.domain.grading import Grade
from lti_tool.lti.ags import AgsClient, AgsError
from lti_tool.lti.registrations import PlatformRegistration, RegistrationDirectory
from lti_tool.outbox import store as outbox
from lti_tool.outbox.store import Claimed
from lti_tool.outbox.worker import Backoff, Dead, Done, Later, OutboxLoop, Verdict, one_at_a_time
from lti_tool.persistence.models import Activity, Context, Deployment, Membership, Platform, User

TOPIC = "ags-score"
REFUSALS = {400, 404, 409, 422}
log = logging.getLogger("peerlearn.grades")


def destination_for(platform_id: int) -> str:
    return f"ags:{platform_id}"


def record_score(
    connection: Connection,
    *,
    platform_id: int,
    lineitem_url: str,
    score: dict[str, Any],
    now: float | None = None,
) -> None:
    """Queue ``score`` (an AGS score with ``userId`` and ``timestamp``) for the LMS."""
    identity = f"{lineitem_url}\n{score['userId']}\n{score['timestamp']}"
    outbox.enqueue(
        connection,
        topic=TOPIC,
        destinations=[destination_for(platform_id)],
        key=hashlib.sha256(identity.encode()).hexdigest()[:64],
        payload=json.dumps({"lineitem": lineitem_url, "score": score}),
        now=time.time() if now is None else now,
    )


class NoGradebookColumn(PeerlearnError):
    code = "no_gradebook_column"
    status = 409
    title = "This activity has no gradebook column yet"
    advice = (
        "Grades can be sent once the LMS has made a column for the activity: place it "
        "again as a graded activity, or open it once from the course."
    )


def publish_grade(
    connection: Connection,
    *,
    activity_id: int,
    user_id: int,
    grade: Grade,
    at: datetime,
    line_item_url: str | None = None,
) -> None:
    """Queue ``grade`` for ``user_id`` in the caller's transaction, for the activity's
    gradebook column or another one of the activity (``line_item_url``)."""
    activity = connection.execute(
        select(Activity.line_item_url, Activity.context_id, Deployment.platform_id)
        .join(Context, Context.id == Activity.context_id)
        .join(Deployment, Deployment.id == Context.deployment_id)
        .where(Activity.id == activity_id)
    ).one_or_none()
    if activity is None:
        raise NotFound("There is no such activity.", code="activity_not_found")
    learner = connection.execute(
        select(User.sub, Membership.status)
        .join(
            Membership,
            and_(Membership.user_id == User.id, Membership.context_id == activity.context_id),
        )
        .where(User.id == user_id, User.platform_id == activity.platform_id)
    ).one_or_none()
    if learner is None or learner.status == "Deleted":
        raise Forbidden(
            "That person is not a member of this activity's course.", code="not_a_member"
        )
    column = line_item_url or activity.line_item_url
    if not column:
        raise NoGradebookColumn("The LMS has not named a gradebook column for this activity.")
    record_score(
        connection,
        platform_id=activity.platform_id,
        lineitem_url=column,
        score=grade.score(user_sub=learner.sub, at=at),
    )


@dataclass
class GradeWorker:
    """Publishes queued scores, platform by platform, in the order they were recorded."""

    engine: Engine
    ags: AgsClient
    registrations: RegistrationDirectory
    batch: int = 50
    lease_seconds: float = 120.0
    base_backoff: float = 2.0
    max_backoff: float = 3600.0
    clock: Callable[[], float] = time.time

    def run_once(self) -> int:
        """Publish what is due for every platform; returns scores published."""
        with self.engine.connect() as connection:
            platforms = connection.execute(
                select(Platform.id, Platform.issuer, Platform.client_id)
            ).all()
        loop = OutboxLoop(
            self.engine,
            TOPIC,
            log,
            "LMS gradebook unavailable, retrying later",
            batch=self.batch,
            lease_seconds=self.lease_seconds,
            backoff=Backoff(self.base_backoff, self.max_backoff),
            clock=self.clock,
        )
        published = 0
        for row in platforms:
            registration = self.registrations.find(row.issuer, row.client_id)
            if registration is not None:
                publish = functools.partial(self._publish, registration, row.id)
                published += loop.drain(destination_for(row.id), one_at_a_time(publish))
        return published

    def _publish(
        self, registration: PlatformRegistration, platform_id: int, message: Claimed
    ) -> Verdict:
        body = json.loads(message.payload)
        try:
            self.ags.publish_score(registration, body["lineitem"], body["score"])
        except AgsError as error:
            if error.http_status in REFUSALS:
                log.exception("score refused by the LMS", extra={"platform": platform_id})
                return Dead(error.detail)
            return Later(error.detail)
        return Done()
