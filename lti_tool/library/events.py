"""Learning records of the course library, written in the transaction of the act."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from lti_tool.learning_records import records as learning_records
from lti_tool.persistence.library_models import LibraryItem as ItemRow
from lti_tool.persistence.models import Context, Deployment, Platform, User
from xapi import library as statements
from xapi.statements import Person, Place


@dataclass(frozen=True)
class Recorder:
    """Where and how library statements are recorded; one per request or worker round
    (it remembers the items, courses and people it looked up)."""

    routes: learning_records.Routes
    base_url: str
    strict: bool
    _items: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)
    _courses: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)
    _people: dict[int, Any] = field(default_factory=dict, compare=False, repr=False)

    def record(
        self,
        connection: Connection,
        item_id: int,
        user_id: int,
        build: Callable[..., dict[str, Any]],
        *,
        context_id: int | None = None,
        **values: Any,
    ) -> dict[str, Any]:
        """Build one statement by ``user_id`` about item ``item_id`` and queue it.

        ``context_id`` is the course it happened in when that is not the item's own (an
        item read in a course it was shared to); the item's id stays its own course's.
        """
        item = self._items.get(item_id)
        if item is None:
            item = self._items[item_id] = connection.execute(
                select(ItemRow.key, ItemRow.title, ItemRow.kind, ItemRow.context_id).where(
                    ItemRow.id == item_id
                )
            ).one()
        course = self._course(connection, context_id or item.context_id)
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
            item=statements.LibraryItem(item.key, item.title, item.kind, item.context_id),
            identify=bool(course.xapi_share_names),
            **values,
        )
        learning_records.record(
            connection,
            statement,
            platform_id=course.platform_pk,
            routes=self.routes,
            strict=self.strict,
        )
        return statement

    def void(
        self,
        connection: Connection,
        item_id: int,
        user_id: int,
        target_ids: list[str],
        **values: Any,
    ) -> None:
        """Void earlier statements about an item (its authored and edited ones)."""
        for target in target_ids:
            self.record(
                connection,
                item_id,
                user_id,
                _voiding,
                target_id=target,
                **values,
            )

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


def _voiding(*, item: statements.LibraryItem, **values: Any) -> dict[str, Any]:
    del item  # a voiding statement names the statement, not the item
    return statements.voided(**values)
