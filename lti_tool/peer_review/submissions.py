"""Submitting work: each submission keeps every version; files are stored by the caller
(:class:`~lti_tool.file_store.FileStore`) before the transaction that records them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from lti_tool.domain.peer_review.submission_rules import (
    SubmissionWindow,
    SubmittedContent,
    check_submission,
)
from lti_tool.file_store import StoredFile
from lti_tool.learning_records.recorder import Recorder
from lti_tool.peer_review.activity_statements import SUBMITTED, record_about_activity
from lti_tool.persistence.db import dialect_insert
from lti_tool.persistence.peer_review_models import Submission, SubmissionFile, SubmissionVersion


@dataclass(frozen=True)
class Upload:
    stored: StoredFile
    shown_name: str  # already cleaned (lti_tool.domain.files.display_name)


@dataclass(frozen=True)
class Receipt:
    submission_id: int
    version: int
    late: bool


@dataclass(frozen=True)
class Work:
    """One version of a submission, as a page shows it."""

    submission_id: int
    version: int
    text_html: str | None
    link_url: str | None
    files: tuple[tuple[int, str, str, int], ...]  # (file id, shown name, media type, bytes)
    submitted_at: datetime
    late: bool


def submit(
    connection: Connection,
    *,
    activity_id: int,
    author_id: int,
    window: SubmissionWindow,
    accepts: frozenset[str],
    text_html: str | None,
    link_url: str | None,
    uploads: Sequence[Upload],
    now: datetime,
    group_key: str | None = None,
    recorder: Recorder | None = None,
) -> Receipt:
    """Record a submission or a new version of it, in the caller's transaction."""
    # The row is made first (a refused submission rolls it back), so two simultaneous
    # first submissions (a double click) meet on its lock instead of its unique key.
    connection.execute(
        dialect_insert(connection)(Submission)
        .values(
            activity_id=activity_id,
            author_id=author_id,
            group_key=group_key,
            first_submitted_at=now,
            last_submitted_at=now,
            late=False,
            versions=0,
        )
        .on_conflict_do_nothing(index_elements=["activity_id", "author_id"])
    )
    existing = connection.execute(
        select(Submission.id, Submission.versions, Submission.late)
        .where(Submission.activity_id == activity_id, Submission.author_id == author_id)
        .with_for_update()
    ).one()
    late = check_submission(
        window,
        SubmittedContent(
            has_text=bool(text_html), has_link=bool(link_url), file_count=len(uploads)
        ),
        now=now,
        resubmission=existing.versions > 0,
        accepts=accepts,
    )
    submission_id, number = existing.id, existing.versions + 1
    connection.execute(
        update(Submission)
        .where(Submission.id == submission_id)
        .values(versions=number, last_submitted_at=now, late=existing.late or late)
    )
    version_id = connection.execute(
        insert(SubmissionVersion)
        .values(
            submission_id=submission_id,
            number=number,
            text_html=text_html,
            link_url=link_url,
            created_at=now,
        )
        .returning(SubmissionVersion.id)
    ).scalar_one()
    if uploads:
        connection.execute(
            insert(SubmissionFile),
            [
                {
                    "version_id": version_id,
                    "storage_key": upload.stored.storage_key,
                    "original_name": upload.shown_name,
                    "media_type": upload.stored.kind.media_type,
                    "size_bytes": upload.stored.size_bytes,
                    "sha256": upload.stored.sha256,
                }
                for upload in uploads
            ],
        )
    if recorder is not None:
        record_about_activity(
            recorder,
            connection,
            activity_id,
            author_id,
            SUBMITTED,
            submission_pk=submission_id,
            version=number,
            at=now,
        )
    return Receipt(submission_id=submission_id, version=number, late=late)


def latest_work(connection: Connection, submission_id: int) -> Work | None:
    """The newest version of a submission, with its files."""
    row = connection.execute(
        select(
            SubmissionVersion.id,
            SubmissionVersion.number,
            SubmissionVersion.text_html,
            SubmissionVersion.link_url,
            SubmissionVersion.created_at,
            Submission.late,
        )
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .where(SubmissionVersion.submission_id == submission_id)
        .order_by(SubmissionVersion.number.desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    files = connection.execute(
        select(
            SubmissionFile.id,
            SubmissionFile.original_name,
            SubmissionFile.media_type,
            SubmissionFile.size_bytes,
        )
        .where(SubmissionFile.version_id == row.id)
        .order_by(SubmissionFile.id)
    ).all()
    return Work(
        submission_id=submission_id,
        version=row.number,
        text_html=row.text_html,
        link_url=row.link_url,
        files=tuple((f.id, f.original_name, f.media_type, f.size_bytes) for f in files),
        submitted_at=row.created_at,
        late=row.late,
    )


def submission_of(connection: Connection, activity_id: int, author_id: int) -> int | None:
    found = connection.execute(
        select(Submission.id).where(
            Submission.activity_id == activity_id, Submission.author_id == author_id
        )
    ).scalar_one_or_none()
    return int(found) if found is not None else None
