"""Store what a valid launch tells us: user, course, placement and roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lti_tool.domain.errors import UnknownPlatform
from lti_tool.domain.launch import LaunchClaims
from lti_tool.persistence.models import (
    Base,
    Context,
    Deployment,
    Membership,
    ResourceLink,
    User,
    utcnow,
)

ModelT = TypeVar("ModelT", bound=Base)


@dataclass(frozen=True)
class LaunchRecord:
    user_id: int
    context_id: int | None
    resource_link_id: int | None
    course_role: str


def _get_or_create(session: Session, model: type[ModelT], **keys: object) -> ModelT:
    """Find a row by its natural key or insert it; safe when two launches race."""
    query = select(model).filter_by(**keys)
    found = session.scalars(query).one_or_none()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = model(**keys)
            session.add(row)
    except IntegrityError:
        return session.scalars(query).one()
    return row


def record_launch(session: Session, platform_id: int, claims: LaunchClaims) -> LaunchRecord:
    """Upsert everything the launch names, in the caller's transaction."""
    deployment = session.scalars(
        select(Deployment).where(
            Deployment.platform_id == platform_id, Deployment.deployment_id == claims.deployment_id
        )
    ).one_or_none()
    if deployment is None:
        raise UnknownPlatform(
            "The deployment was removed during the launch.", code="unknown_deployment"
        )
    now = utcnow()
    person = claims.person
    user = _get_or_create(session, User, platform_id=platform_id, sub=person.sub)
    # Store personal data only when the platform sends it; never erase what it withheld now.
    for attribute in ("name", "given_name", "family_name", "email"):
        value = getattr(person, attribute)
        if value is not None:
            setattr(user, attribute, value)
    user.last_launch_at = now

    context = None
    if claims.context is not None:
        context = _get_or_create(
            session, Context, deployment_id=deployment.id, lti_id=claims.context.id
        )
        context.title = claims.context.title or context.title
        context.label = claims.context.label or context.label
        context.types = list(claims.context.types) or context.types

    link = None
    if claims.resource_link is not None:
        link = _get_or_create(
            session, ResourceLink, deployment_id=deployment.id, lti_id=claims.resource_link.id
        )
        link.context_id = context.id if context else link.context_id
        link.title = claims.resource_link.title or link.title
        link.description = claims.resource_link.description or link.description

    role = claims.course_role
    if context is not None:
        membership = _get_or_create(session, Membership, user_id=user.id, context_id=context.id)
        membership.lti_roles = list(claims.roles)
        membership.course_role = role.value
        membership.last_launch_at = now
    session.flush()
    return LaunchRecord(
        user_id=user.id,
        context_id=context.id if context else None,
        resource_link_id=link.id if link else None,
        course_role=role.value,
    )
