"""Peer review activities: submissions and their versions, allocations, assessments.

An activity's settings live in ``activity.settings``; this module holds what learners
and staff do in it. People are referenced by ``lti_user.id``; nothing here is shown to a
learner without going through the anonymity rules of the web layer.
"""

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
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from lti_tool.persistence.base import Base, UtcDateTime, utcnow


class Submission(Base):
    """One learner's submission to one activity; its content is in versions."""

    __tablename__ = "pr_submission"
    __table_args__ = (
        UniqueConstraint("activity_id", "author_id"),
        # The queue's pick walks this index: fewest reviews under way, then the oldest.
        Index(
            "ix_pr_submission_queue", "activity_id", "reviews_under_way", "first_submitted_at", "id"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    # The author's group when they first submitted (for group policies).
    group_key: Mapped[str | None] = mapped_column(String(255), default=None)
    first_submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    versions: Mapped[int] = mapped_column(Integer, default=1)
    # Peer allocations completed or open (lti_tool.peer_review.queue.recount keeps
    # it exact wherever allocations change).
    reviews_under_way: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SubmissionVersion(Base):
    """What was submitted, kept for every resubmission."""

    __tablename__ = "pr_version"
    __table_args__ = (UniqueConstraint("submission_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("pr_submission.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    # Sanitised HTML (nh3 allow-list); never rendered unsanitised.
    text_html: Mapped[str | None] = mapped_column(Text, default=None)
    link_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SubmissionFile(Base):
    """An uploaded file; stored under a random key, its original name never shown to
    reviewers (downloads get a neutral name)."""

    __tablename__ = "pr_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("pr_version.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))


class Allocation(Base):
    """A reviewer's assignment to a submission (peer or self review)."""

    __tablename__ = "pr_allocation"
    __table_args__ = (
        UniqueConstraint("submission_id", "reviewer_id"),
        Index("ix_pr_allocation_activity_reviewer", "activity_id", "reviewer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("pr_submission.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="peer")  # peer | self
    source: Mapped[str] = mapped_column(String(16), default="balanced")
    state: Mapped[str] = mapped_column(String(16), default="assigned")
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class Assessment(Base):
    """A reviewer's rubric assessment: a draft until ``submitted_at``."""

    __tablename__ = "pr_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(
        ForeignKey("pr_allocation.id", ondelete="CASCADE"), unique=True
    )
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overall_comment: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    helpfulness: Mapped[int | None] = mapped_column(Integer, default=None)
    flagged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    flag_reason: Mapped[str | None] = mapped_column(Text, default=None)
    hidden_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    hidden_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )


class GradeOverride(Base):
    """An instructor's grade for one learner: always wins, and says who and when."""

    __tablename__ = "pr_override"
    __table_args__ = (UniqueConstraint("activity_id", "learner_id", "component"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    component: Mapped[str] = mapped_column(String(16))  # submission | review | final
    value: Mapped[float] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ReviewPhase(Base):
    """Where an activity's review cycle stands (one row per peer review activity)."""

    __tablename__ = "pr_phase"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True
    )
    allocated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    allocation_seed: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # What the allocator had to relax (group policy, k), in words staff can read.
    allocation_report: Mapped[list[str]] = mapped_column(JSON, default=list)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    # The second gradebook column (reviewing), when the activity grades it on its own.
    review_line_item_url: Mapped[str | None] = mapped_column(String(1024), default=None)


class SavedRubric(Base):
    """A rubric kept in a course's library for reuse."""

    __tablename__ = "pr_rubric"

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(
        ForeignKey("lti_context.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    rubric: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ActivityChange(Base):
    """An edit of an activity's settings after learners started: who, when, what."""

    __tablename__ = "activity_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    changed_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ReviewGroup(Base):
    """A learner's group in a peer review activity, set by staff (for group policies)."""

    __tablename__ = "pr_group"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(String(255))
    # "staff" when set on the groups page, "lms" when read from the LMS's groups.
    source: Mapped[str] = mapped_column(String(8), default="staff", server_default="staff")


class Volunteer(Base):
    """A learner who finished their reviews and offered to review more near the deadline."""

    __tablename__ = "pr_volunteer"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CalibrationExample(Base):
    """A piece of work the teacher assessed, for learners to practise on first."""

    __tablename__ = "pr_calibration_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(255))
    # Sanitised HTML (nh3 allow-list); never rendered unsanitised.
    text_html: Mapped[str | None] = mapped_column(Text, default=None)
    link_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    # The teacher's own assessment: criterion -> level, and what they would say.
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    explanation: Mapped[str | None] = mapped_column(Text, default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CalibrationAttempt(Base):
    """A learner's assessment of one calibration example."""

    __tablename__ = "pr_calibration_attempt"
    __table_args__ = (UniqueConstraint("example_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activity.id", ondelete="CASCADE"), index=True
    )
    example_id: Mapped[int] = mapped_column(
        ForeignKey("pr_calibration_example.id", ondelete="CASCADE")
    )
    learner_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)


class StoredGrade(Base):
    """A learner's computed grade record, stored at release (and on every re-release) so
    learner pages read it instead of recomputing the cohort."""

    __tablename__ = "pr_grade"
    __table_args__ = (UniqueConstraint("activity_id", "learner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
