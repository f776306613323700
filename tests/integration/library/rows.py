"""Library rows built straight into the database, as the discovery tests need them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert

from lti_tool.persistence.library_models import (
    LibraryFollow,
    LibraryItem,
    LibraryItemTopic,
    LibraryShare,
    LibraryTopic,
)
from lti_tool.persistence.models import Context, Deployment, Platform, User

START = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)


@dataclass
class Library:
    """A platform with courses and people; items get later publication times in turn."""

    connection: Connection
    platform_id: int = 0
    deployment_id: int = 0
    published: int = 0
    people: dict[str, int] = field(default_factory=dict)

    @classmethod
    def on(cls, connection: Connection, issuer: str = "https://lms.example") -> Library:
        library = cls(connection)
        library.platform_id = connection.execute(
            insert(Platform)
            .values(
                issuer=issuer,
                client_id="client",
                auth_login_url="x",
                auth_token_url="x",
                jwks_url="x",
            )
            .returning(Platform.id)
        ).scalar_one()
        library.deployment_id = connection.execute(
            insert(Deployment)
            .values(platform_id=library.platform_id, deployment_id="d")
            .returning(Deployment.id)
        ).scalar_one()
        return library

    def course(self, lti_id: str) -> int:
        return int(
            self.connection.execute(
                insert(Context)
                .values(deployment_id=self.deployment_id, lti_id=lti_id, title=lti_id, types=[])
                .returning(Context.id)
            ).scalar_one()
        )

    def person(self, sub: str, name: str | None = None) -> int:
        user_id = int(
            self.connection.execute(
                insert(User)
                .values(platform_id=self.platform_id, sub=sub, name=name or sub.title())
                .returning(User.id)
            ).scalar_one()
        )
        self.people[sub] = user_id
        return user_id

    def item(self, context_id: int, title: str, **values: Any) -> int:
        self.published += 1
        row: dict[str, Any] = {
            "key": str(uuid.uuid4()),
            "context_id": context_id,
            "kind": "article",
            "state": "published",
            "title": title,
            "summary": "",
            "body_markdown": "",
            "published_at": START + timedelta(minutes=self.published),
        }
        row.update(values)
        return int(
            self.connection.execute(
                insert(LibraryItem).values(**row).returning(LibraryItem.id)
            ).scalar_one()
        )

    def topic(self, context_id: int, name: str) -> int:
        return int(
            self.connection.execute(
                insert(LibraryTopic)
                .values(context_id=context_id, name=name, slug=name.lower().replace(" ", "-"))
                .returning(LibraryTopic.id)
            ).scalar_one()
        )

    def tag(self, item_id: int, *topic_ids: int) -> None:
        for topic_id in topic_ids:
            self.connection.execute(
                insert(LibraryItemTopic).values(item_id=item_id, topic_id=topic_id)
            )

    def share(self, item_id: int, context_id: int) -> None:
        self.connection.execute(insert(LibraryShare).values(item_id=item_id, context_id=context_id))

    def follow(self, context_id: int, user_id: int, kind: str, target_id: int) -> None:
        self.connection.execute(
            insert(LibraryFollow).values(
                context_id=context_id, user_id=user_id, target_kind=kind, target_id=target_id
            )
        )
