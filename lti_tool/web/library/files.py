"""Files of library items: upload (judged by content), remove, download with safe headers.

A download is an attachment unless its type is one a browser may show inline (images,
PDF); every file response is ``nosniff`` and carries a CSP sandbox, so even a file that
looks like HTML to some browser runs nothing as us.
"""

from __future__ import annotations

from flask import redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import BadRequest
from lti_tool.library import authoring
from lti_tool.web.context import services
from lti_tool.web.library.context import now, open_item

MAX_FILES_AT_ONCE = 5


def upload_files(key: str) -> ResponseReturnValue:
    current, found = open_item(key, "edit")
    files = [f for f in request.files.getlist("files") if f.filename]
    if len(files) > MAX_FILES_AT_ONCE:
        raise BadRequest(f"At most {MAX_FILES_AT_ONCE} files at once.", code="too_many_files")
    settings = services().settings
    authoring.attach_files(
        services().engine,
        found,
        [(f.filename or "", f.stream) for f in files],
        files_dir=settings.files_dir,
        max_bytes=settings.library_max_file_mb * 1024 * 1024,
        now=now(),
    )
    return redirect(
        url_for("library.edit_item", key=key, ls=current.token, attached=len(files)), code=303
    )


def remove_file(key: str, attachment_id: int) -> ResponseReturnValue:
    current, found = open_item(key, "edit")
    authoring.remove_file(
        services().engine, found, attachment_id, files_dir=services().settings.files_dir, now=now()
    )
    return redirect(url_for("library.edit_item", key=key, ls=current.token, removed=1), code=303)


def download(key: str, attachment_id: int) -> ResponseReturnValue:
    _current, found = open_item(key)
    stored = authoring.download(
        services().engine, found, attachment_id, files_dir=services().settings.files_dir
    )
    response = send_file(stored.path, mimetype=stored.media_type, conditional=False, etag=False)
    response.headers.update(stored.headers)
    return response
