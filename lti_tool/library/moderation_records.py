"""Learning records of library moderation and sharing, written in the act's transaction.

Interim adapter until lib-core's ``lti_tool.library.events`` recorder lands: the place of
a library statement is the item's own course (its deployment and platform).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from lti_tool import learning_records
from lti_tool.persistence.models import Context, Deployment, Platform, User
from xapi.statements import Person, Place


@dataclass(frozen=True)
class LibraryRecorder:
    routes: learning_records.Routes
    base_url: str
    strict: bool

    def record(
        self,
        connection: Connection,
        *,
        context_id: int,
        user_id: int,
        build: Callable[..., dict[str, Any]],
        **values: Any,
    ) -> None:
        """Build one statement by ``user_id`` in course ``context_id`` and queue it."""
        where = connection.execute(
            select(
                Context.id,
                Context.lti_id,
                Context.title,
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
        person = connection.execute(select(User.sub, User.name).where(User.id == user_id)).one()
        place = Place(
            base_url=self.base_url,
            platform_pk=where.platform_pk,
            platform_issuer=where.issuer,
            platform_name=where.platform_name,
            deployment_id=where.deployment_id,
            context_pk=where.id,
            context_lti_id=where.lti_id,
            context_title=where.title,
        )
        statement = build(
            person=Person(issuer=where.issuer, sub=person.sub, name=person.name),
            place=place,
            identify=bool(where.xapi_share_names),
            **values,
        )
        learning_records.record(
            connection,
            statement,
            platform_id=where.platform_pk,
            routes=self.routes,
            strict=self.strict,
        )
