"""Which submitted file a person may download: its author, a reviewer allocated to it
(not removed) or staff; to anyone else it does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from lti_tool.domain.errors import NotFound
from lti_tool.domain.files import FILE_TYPES
from lti_tool.domain.peer_review.anonymity import download_name
from lti_tool.persistence.peer_review_models import (
    Allocation,
    Submission,
    SubmissionFile,
    SubmissionVersion,
)


@dataclass(frozen=True)
class Download:
    storage_key: str
    media_type: str
    name: str  # reviewers get a neutral name: an author's file name often carries theirs
    own: bool


def submission_file(
    engine: Engine, *, activity_id: int, file_id: int, user_id: int, is_staff: bool
) -> Download:
    """The file of a submission to this activity that ``user_id`` may read, or 404."""
    with engine.connect() as connection:
        found = connection.execute(
            select(
                SubmissionFile.storage_key,
                SubmissionFile.original_name,
                SubmissionFile.media_type,
                Submission.author_id,
                Submission.id.label("submission_id"),
            )
            .join(SubmissionVersion, SubmissionVersion.id == SubmissionFile.version_id)
            .join(Submission, Submission.id == SubmissionVersion.submission_id)
            .where(SubmissionFile.id == file_id, Submission.activity_id == activity_id)
        ).one_or_none()
        reviewer = (
            found is not None
            and connection.execute(
                select(Allocation.id).where(
                    Allocation.submission_id == found.submission_id,
                    Allocation.reviewer_id == user_id,
                    Allocation.state != "removed",
                )
            ).first()
            is not None
        )
    own = found is not None and found.author_id == user_id
    if found is None or not (own or reviewer or is_staff):
        raise NotFound("There is no such file for you here.", code="file_not_found")
    kind = next(k for k in FILE_TYPES.values() if k.media_type == found.media_type)
    name = download_name(found.original_name, kind.extension, own_or_staff=own or is_staff)
    return Download(found.storage_key, found.media_type, name, own)
