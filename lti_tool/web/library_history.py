"""An item's history: every saved version listed, one shown, an old one restored.

Routes join the ``library`` blueprint; the author and staff see history, and restoring
needs the right to edit (it saves the old version again as the newest)."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.library import items
from lti_tool.library.people import names_of
from lti_tool.web.context import services
from lti_tool.web.library_views import library, now, open_item, page, recorder


@library.get("/items/<key>/history")
def history(key: str) -> ResponseReturnValue:
    launch, token, found = open_item(key, "history")
    with services().engine.connect() as connection:
        saved = items.versions(connection, found.item.id)
        names = names_of(connection, (row.edited_by for row in saved))
    return page(
        "library/history.html",
        token=token,
        launch=launch,
        item=found.item,
        versions=saved,
        changes=items.changes(saved),
        names=names,
        shown=None,
        allowed=found.allowed,
    )


@library.get("/items/<key>/history/<int:number>")
def history_version(key: str, number: int) -> ResponseReturnValue:
    launch, token, found = open_item(key, "history")
    with services().engine.connect() as connection:
        saved = items.versions(connection, found.item.id)
        shown = items.version(connection, found.item.id, number)
        names = names_of(connection, (row.edited_by for row in saved))
    return page(
        "library/history.html",
        token=token,
        launch=launch,
        item=found.item,
        versions=saved,
        changes=items.changes(saved),
        names=names,
        shown=shown,
        shown_html=items.render_body(shown.body_markdown),
        allowed=found.allowed,
    )


@library.post("/items/<key>/history/<int:number>/restore")
def restore_version(key: str, number: int) -> ResponseReturnValue:
    launch, token, found = open_item(key, "edit")
    try:
        edited_from = int(request.form.get("version", ""))
    except ValueError:
        edited_from = -1
    with services().engine.begin() as connection:
        restored = items.restore(
            connection,
            item_id=found.item.id,
            number=number,
            editor_id=launch.user_id,
            edited_from=edited_from,
            now=now(),
            recorder=recorder(),
            editor_is_staff=launch.is_staff,
        )
    return redirect(url_for("library.history", key=key, ls=token, restored=restored), code=303)
