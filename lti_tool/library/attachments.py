"""Files attached to library items: judged by content, stored under random keys, served
with headers that keep a file from ever acting as a page of ours.

The file is written by :class:`~lti_tool.file_store.FileStore` (size and type checked
while it streams; a refused file leaves nothing on disk) before the transaction that
records it; when that transaction fails the stored file is removed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy import Connection, func, insert, select, update

from lti_tool.domain.errors import BadRequest, NotFound
from lti_tool.domain.files import FILE_TYPES, INLINE_TYPES, display_name
from lti_tool.domain.library.content import ATTACHMENTS_PER_ITEM, check_upload_name
from lti_tool.file_store import FileStore, UploadRefused
from lti_tool.persistence.library_models import LibraryAttachment

# Every type Peerlearn recognises may be attached; each is served as a download unless
# INLINE_TYPES says a browser may show it (images and PDF).
ACCEPTED = frozenset(FILE_TYPES)
FILE_CSP = "sandbox; default-src 'none'"


@dataclass(frozen=True)
class Attachment:
    id: int
    display_name: str
    media_type: str
    size_bytes: int
    inline: bool


def type_key(media_type: str) -> str | None:
    return next((k for k, kind in FILE_TYPES.items() if kind.media_type == media_type), None)


def _attachment(row: Any) -> Attachment:
    return Attachment(
        row.id,
        row.display_name,
        row.media_type,
        row.size_bytes,
        type_key(row.media_type) in INLINE_TYPES,
    )


def attachments_of(connection: Connection, item_id: int) -> list[Attachment]:
    rows = connection.execute(
        select(LibraryAttachment)
        .where(LibraryAttachment.item_id == item_id, LibraryAttachment.removed_at.is_(None))
        .order_by(LibraryAttachment.id)
    )
    return [_attachment(row) for row in rows]


def attach(
    connection_factory: Any,
    *,
    store: FileStore,
    item_id: int,
    uploads: Sequence[tuple[str, IO[bytes]]],
    max_bytes: int,
    now: datetime,
) -> list[int]:
    """Store each (uploaded name, stream) and record them on the item, all or nothing.

    ``connection_factory`` is the engine's ``begin`` (a context manager giving the
    transaction); files are stored first so no transaction waits on uploads.
    """
    if not uploads:
        raise UploadRefused("Choose a file to attach.", code="file_missing")
    for name, _stream in uploads:
        try:
            check_upload_name(name)
        except ValueError as refused:
            raise UploadRefused(str(refused), code="file_name") from None
    stored = []
    try:
        for name, stream in uploads:
            saved = store.save(stream, max_bytes=max_bytes, allowed=ACCEPTED)
            stored.append((saved, display_name(name, saved.kind)))
        with connection_factory() as connection:
            ids = _record(connection, item_id, stored, now)
    except Exception:
        for saved, _shown in stored:  # nothing recorded: nothing kept
            store.remove(saved.storage_key)
        raise
    return ids


def _record(
    connection: Connection, item_id: int, stored: list[tuple[Any, str]], now: datetime
) -> list[int]:
    present = connection.execute(
        select(func.count()).where(
            LibraryAttachment.item_id == item_id, LibraryAttachment.removed_at.is_(None)
        )
    ).scalar_one()
    if present + len(stored) > ATTACHMENTS_PER_ITEM:
        raise BadRequest(
            f"An item can have at most {ATTACHMENTS_PER_ITEM} files.", code="too_many_files"
        )
    return [
        connection.execute(
            insert(LibraryAttachment)
            .values(
                item_id=item_id,
                storage_key=saved.storage_key,
                display_name=shown,
                media_type=saved.kind.media_type,
                size_bytes=saved.size_bytes,
                sha256=saved.sha256,
                created_at=now,
            )
            .returning(LibraryAttachment.id)
        ).scalar_one()
        for saved, shown in stored
    ]


def remove(
    connection: Connection, *, store: FileStore, item_id: int, attachment_id: int, now: datetime
) -> None:
    """Detach a file: the row stays (removed_at) for the record, the bytes go."""
    key = connection.execute(
        update(LibraryAttachment)
        .where(
            LibraryAttachment.id == attachment_id,
            LibraryAttachment.item_id == item_id,
            LibraryAttachment.removed_at.is_(None),
        )
        .values(removed_at=now)
        .returning(LibraryAttachment.storage_key)
    ).scalar_one_or_none()
    if key is None:
        raise NotFound("There is no such file on this item.", code="file_not_found")
    store.remove(key)


def stored_file(connection: Connection, item_id: int, attachment_id: int) -> Any:
    found = connection.execute(
        select(LibraryAttachment).where(
            LibraryAttachment.id == attachment_id,
            LibraryAttachment.item_id == item_id,
            LibraryAttachment.removed_at.is_(None),
        )
    ).one_or_none()
    if found is None:
        raise NotFound("There is no such file on this item.", code="file_not_found")
    return found


def content_disposition(name: str, *, inline: bool) -> str:
    """RFC 6266: an ASCII fallback name, and the real one as RFC 8187 ``filename*``."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\%;' else "_" for c in name)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_headers(media_type: str, name: str) -> dict[str, str]:
    """Headers of a file response: a download unless the type is allow-listed inline;
    never sniffed; sandboxed so even an inline file runs no script as our origin."""
    inline = type_key(media_type) in INLINE_TYPES
    return {
        "Content-Type": media_type,
        "Content-Disposition": content_disposition(name, inline=inline),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_CSP,
        "Cache-Control": "private, no-store",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
