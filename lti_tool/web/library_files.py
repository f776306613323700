"""Files of library items: upload (judged by content), remove, download with safe headers.

Routes join the ``library`` blueprint. A download is an attachment unless its type is one
a browser may show inline (images, PDF); every file response is ``nosniff`` and carries a
CSP sandbox, so even a file that looks like HTML to some browser runs nothing as us.
"""

from __future__ import annotations

from flask import redirect, request, send_file, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import BadRequest, NotFound
from lti_tool.file_store import FileStore
from lti_tool.library import attachments
from lti_tool.web.context import services
from lti_tool.web.library_views import library, now, open_item

MAX_FILES_AT_ONCE = 5


@library.post("/items/<key>/files")
def upload_files(key: str) -> ResponseReturnValue:
    _launch, token, found = open_item(key, "edit")
    svc = services()
    files = [f for f in request.files.getlist("files") if f.filename]
    if len(files) > MAX_FILES_AT_ONCE:
        raise BadRequest(f"At most {MAX_FILES_AT_ONCE} files at once.", code="too_many_files")
    attachments.attach(
        svc.engine.begin,
        store=FileStore(svc.settings.files_dir),
        item_id=found.item.id,
        uploads=[(f.filename or "", f.stream) for f in files],
        max_bytes=svc.settings.library_max_file_mb * 1024 * 1024,
        now=now(),
    )
    return redirect(url_for("library.edit_item", key=key, ls=token, attached=len(files)), code=303)


@library.post("/items/<key>/files/<int:attachment_id>/remove")
def remove_file(key: str, attachment_id: int) -> ResponseReturnValue:
    _launch, token, found = open_item(key, "edit")
    svc = services()
    with svc.engine.begin() as connection:
        attachments.remove(
            connection,
            store=FileStore(svc.settings.files_dir),
            item_id=found.item.id,
            attachment_id=attachment_id,
            now=now(),
        )
    return redirect(url_for("library.edit_item", key=key, ls=token, removed=1), code=303)


@library.get("/items/<key>/files/<int:attachment_id>")
def download(key: str, attachment_id: int) -> ResponseReturnValue:
    _launch, _token, found = open_item(key)
    svc = services()
    with svc.engine.connect() as connection:
        stored = attachments.stored_file(connection, found.item.id, attachment_id)
    path = FileStore(svc.settings.files_dir).path(stored.storage_key)
    if not path.is_file():
        raise NotFound("This file is no longer stored.", code="file_not_found")
    response = send_file(path, mimetype=stored.media_type, conditional=False, etag=False)
    response.headers.update(attachments.download_headers(stored.media_type, stored.display_name))
    return response
