"""Uploaded files on disk, under random names in the storage folder.

A file is streamed to a temporary file in the same folder, checked (size, type by
content), then renamed into place: a refused or interrupted upload leaves nothing
behind. Names given by uploaders are never used on disk.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.files import HEAD_BYTES, FileType, sniff

CHUNK = 64 * 1024
# Uploads are readable by the service's own user only: folders 0700, files 0600.
FOLDER_MODE = 0o700
FILE_MODE = 0o600


class UploadRefused(BadRequest):
    code = "upload_refused"
    title = "That file cannot be uploaded"
    advice = "Check the file's type and size against the activity's instructions."


@dataclass(frozen=True)
class StoredFile:
    storage_key: str
    size_bytes: int
    sha256: str
    kind: FileType


class FileStore:
    def __init__(self, root: Path) -> None:
        self._root = root

    def path(self, storage_key: str) -> Path:
        if not storage_key.isalnum():
            raise ValueError("not a storage key")
        return self._root / storage_key[:2] / storage_key

    def save(self, stream: IO[bytes], *, max_bytes: int, allowed: frozenset[str]) -> StoredFile:
        """Store ``stream`` if it is at most ``max_bytes`` and of an allowed type."""
        key = secrets.token_hex(16)
        final = self.path(key)
        self._private_folder(final.parent)
        partial = final.with_name(key + ".part")
        digest, size, head = hashlib.sha256(), 0, b""
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(descriptor, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise UploadRefused(
                            f"The file is larger than {_megabytes(max_bytes)}.",
                            code="file_too_large",
                        )
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise UploadRefused("The file is empty.", code="file_empty")
            kind = sniff(head)
            if kind is None or kind.key not in allowed:
                raise UploadRefused(
                    "The file's content is not one of the accepted types.", code="file_type"
                )
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
        return StoredFile(key, size, digest.hexdigest(), kind)

    def _private_folder(self, folder: Path) -> None:
        for each in (self._root, folder):
            each.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
            if each.stat().st_mode & 0o777 != FOLDER_MODE:
                each.chmod(FOLDER_MODE)

    def remove(self, storage_key: str) -> None:
        self.path(storage_key).unlink(missing_ok=True)


def _megabytes(count: int) -> str:
    return f"{round(count / (1024 * 1024), 1):g} MB"
