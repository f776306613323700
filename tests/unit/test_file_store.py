"""Uploads at rest (issue 12, item 10): files 0600 in 0700 folders, whatever the umask."""

from __future__ import annotations

import io
import os
from pathlib import Path

from lti_tool.file_store import FileStore

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_uploads_are_private_to_the_service_user(tmp_path: Path) -> None:
    root = tmp_path / "storage"
    previous = os.umask(0o022)
    try:
        stored = FileStore(root).save(io.BytesIO(PNG), max_bytes=1024, allowed=frozenset({"png"}))
    finally:
        os.umask(previous)
    path = FileStore(root).path(stored.storage_key)
    assert path.read_bytes() == PNG
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert root.stat().st_mode & 0o777 == 0o700


def test_folders_left_open_by_an_older_version_are_closed(tmp_path: Path) -> None:
    root = tmp_path / "storage"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    stored = FileStore(root).save(io.BytesIO(PNG), max_bytes=1024, allowed=frozenset({"png"}))
    assert root.stat().st_mode & 0o777 == 0o700
    assert FileStore(root).path(stored.storage_key).parent.stat().st_mode & 0o777 == 0o700
