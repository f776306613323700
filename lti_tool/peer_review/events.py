"""Learning records of peer review, written in the transaction of the act they record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from lti_tool.learning_records import records as learning_records
from lti_tool.persistence.models import Activity, Context, Deployment, Platform, User
from xapi import peer_review as statements
from xapi.statements import Person, Place


@dataclass(frozen=True)
class Recorder:
    """Where and how statements are recorded. One recorder serves one request or one
    worker round: it remembers the activities and people it looked up, since allocating
    a course records a statement per pair."""

    routes: learning_records.Routes
    base_url: str
    strict: bool
    _activities: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)
    _people: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)

    def record(
        self,
        connection: Connection,
        activity_id: int,
        user_id: int,
        build: Callable[..., dict[str, Any]],
        **values: Any,
    ) -> None:
        """Build one statement by ``user_id`` about ``activity_id`` and queue it."""
        found = self._activities.get(activity_id)
        if found is None:
            found = self._activities[activity_id] = self._activity(connection, activity_id)
        person = self._people.get(user_id)
        if person is None:
            person = self._people[user_id] = connection.execute(
                select(User.sub, User.name).where(User.id == user_id)
            ).one()
        place = Place(
            base_url=self.base_url,
            platform_pk=found.platform_pk,
            platform_issuer=found.issuer,
            platform_name=found.platform_name,
            deployment_id=found.deployment_id,
            context_pk=found.context_pk,
            context_lti_id=found.context_lti_id,
            context_title=found.context_title,
        )
        statement = build(
            person=Person(issuer=found.issuer, sub=person.sub, name=person.name),
            place=place,
            activity=(activity_id, found.title, found.key),
            identify=bool(found.xapi_share_names),
            **values,
        )
        learning_records.record(
            connection,
            statement,
            platform_id=found.platform_pk,
            routes=self.routes,
            strict=self.strict,
        )

    @staticmethod
    def _activity(connection: Connection, activity_id: int) -> Any:
        return connection.execute(
            select(
                Activity.title,
                Activity.key,
                Context.id.label("context_pk"),
                Context.lti_id.label("context_lti_id"),
                Context.title.label("context_title"),
                Deployment.deployment_id,
                Platform.id.label("platform_pk"),
                Platform.issuer,
                Platform.name.label("platform_name"),
                Platform.xapi_share_names,
            )
            .join(Context, Context.id == Activity.context_id)
            .join(Deployment, Deployment.id == Context.deployment_id)
            .join(Platform, Platform.id == Deployment.platform_id)
            .where(Activity.id == activity_id)
        ).one()


SUBMITTED = statements.submitted
WAS_ASSIGNED = statements.was_assigned
REVIEWED = statements.reviewed
SCORED = statements.scored
RATED = statements.rated
FLAGGED = statements.flagged
ANSWERED_CALIBRATION = statements.answered_calibration
