"""Typed SQLAlchemy models of the core: platforms, people, courses, launches, LMS groups,
LRS destinations and the outbox. Feature tables live in their own modules beside this one
(see :mod:`lti_tool.persistence.base`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true

from lti_tool.persistence.base import Base, UtcDateTime, utcnow


class Platform(Base):
    """One registration of Peerlearn in an LMS: an (issuer, client id) pair."""

    __tablename__ = "platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    auth_audience: Mapped[str | None] = mapped_column(String(1024), default=None)
    jwks_url: Mapped[str] = mapped_column(String(1024))
    # The platform's key set as last fetched, shared by every process.
    jwks: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    jwks_fetched_at: Mapped[float | None] = mapped_column(Float, default=None)
    # Learning records name people only when an administrator opts in for this platform.
    xapi_share_names: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # False while a dynamically registered platform awaits an administrator's approval:
    # its launches are refused until then.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )


class Deployment(Base):
    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    platform: Mapped[Platform] = relationship(back_populates="deployments")


class User(Base):
    """A person as one platform knows them: keyed by (platform, LTI ``sub``)."""

    __tablename__ = "lti_user"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255), default=None)
    given_name: Mapped[str | None] = mapped_column(String(255), default=None)
    family_name: Mapped[str | None] = mapped_column(String(255), default=None)
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    display_name: Mapped[str | None] = mapped_column(String(120), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # None for people known only from the course roster: they never launched.
    last_launch_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class Context(Base):
    """A course (LTI context), unique within its deployment."""

    __tablename__ = "lti_context"
    __table_args__ = (UniqueConstraint("deployment_id", "lti_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"))
    lti_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255), default=None)
    label: Mapped[str | None] = mapped_column(String(255), default=None)
    types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Service endpoints as the latest staff launch named them, so rosters and grades can
    # be reached without a launch in progress.
    memberships_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    lineitems_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    roster_synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    # The NRPS "differences" link of the last full sync, for the next incremental one.
    roster_differences_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    # LTI Course Groups service endpoints, when the platform offers them.
    groups_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    groupsets_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    groups_synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class ResourceLink(Base):
    """One placement of Peerlearn in a course, unique within its deployment."""

    __tablename__ = "resource_link"
    __table_args__ = (UniqueConstraint("deployment_id", "lti_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id", ondelete="CASCADE"))
    context_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_context.id", ondelete="CASCADE"), default=None
    )
    lti_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # The activity this placement opens (found by link id, or by the custom parameter a
    # deep-linking response set, e.g. after a course copy).
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id", ondelete="SET NULL"), default=None, index=True
    )


class Membership(Base):
    """A user's roles in a context, from their latest launch or the course roster."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    lti_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    course_role: Mapped[str] = mapped_column(String(20), default="learner")
    # None for members known only from the roster (Names and Role Provisioning).
    last_launch_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    # Active, Inactive or Deleted, as the roster last said (a launch means Active).
    status: Mapped[str] = mapped_column(String(16), default="Active", server_default="Active")
    roster_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class Activity(Base):
    """One Peerlearn activity placed in a course by deep linking.

    ``key`` travels in the placement's custom parameters, so a copied course's new
    resource links still find the activity they were copied from.
    """

    __tablename__ = "activity"
    # One copy per course of an activity copied in from another course.
    __table_args__ = (UniqueConstraint("context_id", "copied_from_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36), unique=True)
    context_id: Mapped[int] = mapped_column(
        ForeignKey("lti_context.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The gradebook column the LMS created from the deep-linking response (if graded).
    line_item_url: Mapped[str | None] = mapped_column(String(1024), default=None)
    score_maximum: Mapped[float | None] = mapped_column(Float, default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    copied_from_id: Mapped[int | None] = mapped_column(
        ForeignKey("activity.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class EphemeralEntry(Base):
    """Short-lived launch data: OIDC state, used nonces, cached launches.

    ``expires_at`` is a Unix timestamp so expiry checks are one comparison everywhere.
    """

    __tablename__ = "ephemeral_entry"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[float] = mapped_column(Float, index=True)


class LrsDestination(Base):
    """A Learning Record Store statements are delivered to: global, or one platform's."""

    __tablename__ = "lrs_destination"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    endpoint: Mapped[str] = mapped_column(String(1024))
    username: Mapped[str] = mapped_column(String(255))
    # The LRS's basic-auth secret; Peerlearn must present it, so it cannot be hashed: it
    # is kept encrypted (a Fernet token, lti_tool/secret_box.py), never in clear.
    sealed_password: Mapped[str] = mapped_column(Text)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("platform.id", ondelete="CASCADE"), default=None
    )
    batch_size: Mapped[int] = mapped_column(Integer, default=100)
    paused_at: Mapped[float | None] = mapped_column(Float, default=None)
    paused_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OutboxMessage(Base):
    """One message to deliver durably: written in the transaction of the change behind it.

    ``topic`` says what it is ("xapi", later grade passback) and ``destination`` where it
    goes, as the delivering side names it ("lrs:3"; "held" while no destination is
    configured: kept, never dropped). ``message_key`` identifies the message for its
    receiver (an xAPI statement id), so a redelivery is recognisably the same. Times are
    Unix seconds.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint("topic", "destination", "message_key"),
        # Claims walk this index in id order and stop after one batch; ordering by id
        # over an index led by next_attempt_at would sort every pending row per claim.
        Index("ix_outbox_message_due", "destination", "state", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(32))
    destination: Mapped[str] = mapped_column(String(64))
    message_key: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Float, default=0.0)
    lease_until: Mapped[float | None] = mapped_column(Float, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[float] = mapped_column(Float)
    delivered_at: Mapped[float | None] = mapped_column(Float, default=None)


class LmsGroup(Base):
    """A group the LMS reported for a course (LTI Course Groups service)."""

    __tablename__ = "lms_group"
    __table_args__ = (UniqueConstraint("context_id", "lms_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    lms_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    set_lms_id: Mapped[str | None] = mapped_column(String(255), default=None)
    set_name: Mapped[str | None] = mapped_column(String(255), default=None)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LmsGroupMember(Base):
    """A member of an LMS group, as the LMS last reported."""

    __tablename__ = "lms_group_member"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("lms_group.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"), index=True)
