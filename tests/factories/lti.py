"""Platforms, deployments, courses (LTI contexts), people and memberships as rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert

from lti_tool.persistence.models import Context, Deployment, Membership, Platform, User


def platform(
    connection: Connection, issuer: str = "https://lms.example", client_id: str = "c", **values: Any
) -> int:
    """A registered platform; its endpoints are placeholders unless given."""
    row: dict[str, Any] = {
        "issuer": issuer,
        "client_id": client_id,
        "auth_login_url": "x",
        "auth_token_url": "x",
        "jwks_url": "x",
        **values,
    }
    found: int = connection.execute(
        insert(Platform).values(**row).returning(Platform.id)
    ).scalar_one()
    return found


def deployment(connection: Connection, platform_id: int, name: str = "d") -> int:
    found: int = connection.execute(
        insert(Deployment)
        .values(platform_id=platform_id, deployment_id=name)
        .returning(Deployment.id)
    ).scalar_one()
    return found


def course(
    connection: Connection, deployment_id: int, lti_id: str = "course", title: str | None = ""
) -> int:
    """A course (LTI context); its title is its LTI id unless given (``None``: no title)."""
    found: int = connection.execute(
        insert(Context)
        .values(
            deployment_id=deployment_id,
            lti_id=lti_id,
            title=lti_id if title == "" else title,
            types=[],
        )
        .returning(Context.id)
    ).scalar_one()
    return found


def person(connection: Connection, platform_id: int, sub: str, name: str | None = None) -> int:
    found: int = connection.execute(
        insert(User).values(platform_id=platform_id, sub=sub, name=name).returning(User.id)
    ).scalar_one()
    return found


def member(connection: Connection, user_id: int, context_id: int, role: str = "learner") -> None:
    connection.execute(
        insert(Membership).values(
            user_id=user_id, context_id=context_id, lti_roles=[], course_role=role
        )
    )


@dataclass(frozen=True)
class Course:
    """The ids of one platform -> deployment -> course chain."""

    platform_id: int
    deployment_id: int
    context_id: int


def course_chain(
    connection: Connection,
    *,
    issuer: str = "https://lms.example",
    lti_id: str = "course",
    title: str | None = "",
) -> Course:
    """A platform with one deployment and one course in it."""
    platform_id = platform(connection, issuer)
    deployment_id = deployment(connection, platform_id)
    return Course(platform_id, deployment_id, course(connection, deployment_id, lti_id, title))
