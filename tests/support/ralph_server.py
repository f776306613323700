"""Run Ralph (a real LRS) on loopback: ``python -m tests.support.ralph_server PORT``.

Ralph's file-system backend would refuse a second write to its file unless told to
append, and ``ralph runserver`` reloads on file changes; so set the operation type and
start uvicorn here.
"""

from __future__ import annotations

import sys

from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend

FSDataBackend.default_operation_type = BaseOperationType.APPEND


def _no_read_history(self: FSDataBackend, action: str, path: object) -> None:
    """Ralph's data backend records every file read (for "new files only" batch reads,
    which an LRS never asks for) and rewrites the whole record each time: over a test
    session that grows without bound and makes every query slower than the last."""


FSDataBackend._append_to_history = _no_read_history  # type: ignore[method-assign]

if __name__ == "__main__":
    import uvicorn

    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
