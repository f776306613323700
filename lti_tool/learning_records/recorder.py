"""The one recorder: builds a statement's actor and course context, then queues it.

Every feature records through a :class:`Recorder`. The feature says what the statement is
about (its own builder from :mod:`xapi`, and the values that builder needs); the recorder
looks up who did it and in which course (platform, deployment, course), builds the
statement with them and queues it with :func:`lti_tool.learning_records.records.record`,
in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from lti_tool.learning_records.records import Routes, record
from lti_tool.persistence.models import Context, Deployment, Platform, User
from xapi.statements import Person, Place

StatementBuilder = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Recorder:
    """Where and how statements are recorded. One recorder serves one request or one
    worker round: it remembers the courses, people and subjects it looked up, since
    one act (allocating a course) may record a statement per pair."""

    routes: Routes
    base_url: str
    strict: bool
    _courses: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)
    _people: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)
    _subjects: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def remember(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """``load()``'s answer, looked up once per recorder (``key`` names the subject,
        e.g. ``("activity", 7)``)."""
        if key not in self._subjects:
            self._subjects[key] = load()
        return self._subjects[key]

    def record(
        self,
        connection: Connection,
        *,
        user_id: int,
        context_id: int,
        build: StatementBuilder,
        **values: Any,
    ) -> dict[str, Any]:
        """Build one statement by ``user_id`` in course ``context_id`` and queue it.

        ``build`` is called with ``person``, ``place`` and ``identify`` (whether the
        platform shares names with its LRSs) plus ``values``; the statement is returned.
        """
        course = self._course(connection, context_id)
        person = self._people.get(user_id)
        if person is None:
            person = self._people[user_id] = connection.execute(
                select(User.sub, User.name).where(User.id == user_id)
            ).one()
        place = Place(
            base_url=self.base_url,
            platform_pk=course.platform_pk,
            platform_issuer=course.issuer,
            platform_name=course.platform_name,
            deployment_id=course.deployment_id,
            context_pk=course.context_pk,
            context_lti_id=course.context_lti_id,
            context_title=course.context_title,
        )
        statement = build(
            person=Person(issuer=course.issuer, sub=person.sub, name=person.name),
            place=place,
            identify=bool(course.xapi_share_names),
            **values,
        )
        record(
            connection,
            statement,
            platform_id=course.platform_pk,
            routes=self.routes,
            strict=self.strict,
        )
        return statement

    def _course(self, connection: Connection, context_id: int) -> Any:
        found = self._courses.get(context_id)
        if found is None:
            found = self._courses[context_id] = connection.execute(
                select(
                    Context.id.label("context_pk"),
                    Context.lti_id.label("context_lti_id"),
                    Context.title.label("context_title"),
                    Deployment.deployment_id,
                    Platform.id.label("platform_pk"),
                    Platform.issuer,
                    Platform.name.label("platform_name"),
                    Platform.xapi_share_names,
                )
                .join(Deployment, Deployment.id == Context.deployment_id)
                .join(Platform, Platform.id == Deployment.platform_id)
                .where(Context.id == context_id)
            ).one()
        return found
