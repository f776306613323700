"""Everyone enrolled in a course, as staff pages of a peer review activity name them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.persistence.models import Membership, User


def people_of(connection: Connection, context_id: int) -> dict[int, dict[str, Any]]:
    """Each member of the course by user id: shown name, course role, status, launched."""
    rows = connection.execute(
        select(
            User.id,
            User.sub,
            User.name,
            User.given_name,
            User.family_name,
            User.display_name,
            Membership.course_role,
            Membership.status,
            Membership.last_launch_at,
        )
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.context_id == context_id)
    ).all()
    return {
        row.id: {
            "name": display_name(
                PersonClaims(
                    sub=row.sub,
                    name=row.name,
                    given_name=row.given_name,
                    family_name=row.family_name,
                ),
                row.display_name,
            ),
            "role": row.course_role,
            "status": row.status,
            "launched": row.last_launch_at is not None,
        }
        for row in rows
    }
