"""How the library names people: their chosen name, or the one their LMS sent."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.persistence.models import User

# Select these beside a row (joined to ``User``) and read the name with :func:`name_of`.
NAME_COLUMNS = (
    User.display_name.label("person_display_name"),
    User.name.label("person_name"),
    User.given_name.label("person_given_name"),
    User.family_name.label("person_family_name"),
)


def name_of(row: Any) -> str:
    """The display name of a row selected with ``NAME_COLUMNS``."""
    return display_name(
        PersonClaims(
            sub="",
            name=row.person_name,
            given_name=row.person_given_name,
            family_name=row.person_family_name,
        ),
        row.person_display_name,
    )


def names_of(connection: Connection, user_ids: Iterable[int | None]) -> dict[int, str]:
    """How each person is addressed in the course, by user id."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    rows = connection.execute(select(User.id, *NAME_COLUMNS).where(User.id.in_(wanted)))
    return {row.id: name_of(row) for row in rows}
