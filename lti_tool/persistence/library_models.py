"""The course content library: peer-authored items, topics, comments, votes, follows,
the activity feed, notifications, topic requests, flags and the moderation audit.

Everything is scoped to a course (``lti_context``); an item shared to another course of
the same deployment is listed there through ``lib_share``. Rendered HTML columns hold
sanitised output only (nh3 allow-list); the Markdown source is what authors edit.
Counters on ``lib_item`` (views, helpful votes, ratings, comments) are kept by the
operations that change them so library pages sort without aggregating.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from lti_tool.persistence.base import Base, UtcDateTime, utcnow


class LibraryCourse(Base):
    """A course's library policy: publish at once, or staff approval first."""

    __tablename__ = "lib_course"

    context_id: Mapped[int] = mapped_column(
        ForeignKey("lti_context.id", ondelete="CASCADE"), primary_key=True
    )
    moderation: Mapped[str] = mapped_column(String(16), default="open")  # open | approval
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryItem(Base):
    """A content item: article, tip, slides, link, video or file."""

    __tablename__ = "lib_item"
    __table_args__ = (
        Index("ix_lib_item_course_listing", "context_id", "state", "published_at", "id"),
        # Listed items (published, not deleted) newest first, and their count, without
        # reading rows: deleted_at sits behind the body, in SQLite's overflow pages
        # (migration 0008, with the library's full-text search).
        Index(
            "ix_lib_item_course_listed", "context_id", "state", "deleted_at", "published_at", "id"
        ),
        Index("ix_lib_item_course_helpful", "context_id", "state", "helpful_count", "id"),
        Index("ix_lib_item_course_views", "context_id", "state", "view_count", "id"),
        Index("ix_lib_item_author", "context_id", "author_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable public id: xAPI activity ids and deep-link placements use it.
    key: Mapped[str] = mapped_column(String(36), unique=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[str] = mapped_column(String(16))  # article | tip | slides | link | video | file
    # draft | pending (awaits approval) | published | hidden (by staff)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    link_title: Mapped[str | None] = mapped_column(String(255), default=None)
    link_description: Mapped[str | None] = mapped_column(Text, default=None)
    # An allow-listed provider's video: provider name and its own video id; the embed
    # address is built from these, never taken from the author.
    video_provider: Mapped[str | None] = mapped_column(String(32), default=None)
    video_id: Mapped[str | None] = mapped_column(String(128), default=None)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    deleted_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    view_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    helpful_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rating_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    comment_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LibraryItemVersion(Base):
    """Every saved state of an item, for history and restore."""

    __tablename__ = "lib_item_version"
    __table_args__ = (UniqueConstraint("item_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lib_item.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    summary: Mapped[str] = mapped_column(Text, default="")
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    link_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    link_title: Mapped[str | None] = mapped_column(String(255), default=None)
    link_description: Mapped[str | None] = mapped_column(Text, default=None)
    video_provider: Mapped[str | None] = mapped_column(String(32), default=None)
    video_id: Mapped[str | None] = mapped_column(String(128), default=None)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    edited_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryAttachment(Base):
    """A file attached to an item, stored under a random key (never its own name)."""

    __tablename__ = "lib_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lib_item.id", ondelete="CASCADE"), index=True)
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The uploader's name after cleaning (no path, no control characters): shown as text
    # and used, escaped, in the download's Content-Disposition.
    display_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class LibraryTopic(Base):
    """A topic (tag) of a course's library."""

    __tablename__ = "lib_topic"
    __table_args__ = (UniqueConstraint("context_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    slug: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryItemTopic(Base):
    __tablename__ = "lib_item_topic"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("lib_item.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("lib_topic.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LibraryShare(Base):
    """An item shared by staff to another course of the same deployment."""

    __tablename__ = "lib_share"
    __table_args__ = (UniqueConstraint("item_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lib_item.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(
        ForeignKey("lti_context.id", ondelete="CASCADE"), index=True
    )
    shared_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    shared_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryComment(Base):
    """A comment on an item, or a reply to one (``parent_id``)."""

    __tablename__ = "lib_comment"
    __table_args__ = (Index("ix_lib_comment_item", "item_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lib_item.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("lib_comment.id", ondelete="CASCADE"), default=None, index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    hidden_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class LibraryVote(Base):
    """One person's "this helped me" and 1-5 rating of an item."""

    __tablename__ = "lib_vote"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lib_item.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    helpful: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    rating: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryView(Base):
    """When a person last viewed an item: views count and xAPI "viewed" at most hourly."""

    __tablename__ = "lib_view"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("lib_item.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    first_viewed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryFollow(Base):
    """A person following a topic or an author within a course."""

    __tablename__ = "lib_follow"
    __table_args__ = (
        UniqueConstraint("context_id", "user_id", "target_kind", "target_id"),
        Index("ix_lib_follow_target", "context_id", "target_kind", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(8))  # topic | author
    target_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryEvent(Base):
    """The course activity feed: what peers did (published, commented, rated, answered)."""

    __tablename__ = "lib_event"
    __table_args__ = (Index("ix_lib_event_course", "context_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    verb: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("lib_item.id", ondelete="CASCADE"), default=None
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("lib_comment.id", ondelete="CASCADE"), default=None
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("lib_request.id", ondelete="CASCADE"), default=None
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryNotification(Base):
    """An in-app notification for one person, unread until ``read_at``."""

    __tablename__ = "lib_notification"
    __table_args__ = (Index("ix_lib_notification_inbox", "user_id", "context_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    # reply | comment | new_item | request_answered | moderation
    kind: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("lib_item.id", ondelete="CASCADE"), default=None
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("lib_comment.id", ondelete="CASCADE"), default=None
    )
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("lib_request.id", ondelete="CASCADE"), default=None
    )
    message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class TopicRequest(Base):
    """A topic someone wants to learn; peers upvote it and one may volunteer to write."""

    __tablename__ = "lib_request"
    __table_args__ = (Index("ix_lib_request_course", "context_id", "state", "vote_count"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | answered | hidden
    volunteer_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    answered_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("lib_item.id", ondelete="SET NULL"), default=None
    )
    vote_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TopicRequestVote(Base):
    __tablename__ = "lib_request_vote"
    __table_args__ = (UniqueConstraint("request_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("lib_request.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LibraryFlag(Base):
    """A flag on an item or a comment, with the reason, until staff decide."""

    __tablename__ = "lib_flag"
    __table_args__ = (Index("ix_lib_flag_queue", "context_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    target_kind: Mapped[str] = mapped_column(String(8))  # item | comment
    target_id: Mapped[int] = mapped_column(Integer)
    flagged_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    resolved_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    outcome: Mapped[str | None] = mapped_column(String(16), default=None)  # hidden | dismissed


class LibraryAudit(Base):
    """Every moderation and deletion: who did what to which item or comment, and when."""

    __tablename__ = "lib_audit"
    __table_args__ = (Index("ix_lib_audit_course", "context_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    action: Mapped[str] = mapped_column(String(32))
    target_kind: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
