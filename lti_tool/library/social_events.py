"""Learning records of social acts in the library, written in the act's transaction.

Interim adapter: lib-core's ``lti_tool/library/events.py`` is the library's recorder;
until it lands, this one places statements in the course where the person acted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from lti_tool import learning_records
from lti_tool.persistence.models import Context, Deployment, Platform, User
from xapi.library_social import LibraryObject
from xapi.statements import Person, Place

__all__ = ["LibraryObject", "SocialRecorder"]


@dataclass(frozen=True)
class SocialRecorder:
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
        found = connection.execute(
            select(
                Context.lti_id,
                Context.title,
                Deployment.deployment_id,
                Platform.id.label("platform_pk"),
                Platform.issuer,
                Platform.name.label("platform_name"),
                Platform.xapi_share_names,
                User.sub,
                User.name,
            )
            .join(Deployment, Deployment.id == Context.deployment_id)
            .join(Platform, Platform.id == Deployment.platform_id)
            .join(User, User.id == user_id)
            .where(Context.id == context_id)
        ).one()
        place = Place(
            base_url=self.base_url,
            platform_pk=found.platform_pk,
            platform_issuer=found.issuer,
            platform_name=found.platform_name,
            deployment_id=found.deployment_id,
            context_pk=context_id,
            context_lti_id=found.lti_id,
            context_title=found.title,
        )
        statement = build(
            person=Person(issuer=found.issuer, sub=found.sub, name=found.name),
            place=place,
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
