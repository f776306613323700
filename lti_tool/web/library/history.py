"""An item's history: every saved version listed, one shown, an old one restored.

The author and staff see history; restoring needs the right to edit (it saves the old
version again as the newest)."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.library import authoring, items
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.library.context import now, open_item, recorder, render
from lti_tool.web.library.forms import VersionForm


def history(key: str) -> ResponseReturnValue:
    current, found = open_item(key, "history")
    shown = authoring.history(services().engine, found)
    return render(
        "library/history.html",
        current,
        item=found.item,
        versions=shown.versions,
        changes=shown.changes,
        names=shown.names,
        shown=None,
        allowed=found.allowed,
    )


def history_version(key: str, number: int) -> ResponseReturnValue:
    current, found = open_item(key, "history")
    shown = authoring.history(services().engine, found, number)
    return render(
        "library/history.html",
        current,
        item=found.item,
        versions=shown.versions,
        changes=shown.changes,
        names=shown.names,
        shown=shown.shown,
        shown_html=items.render_body(shown.shown.body_markdown),
        allowed=found.allowed,
    )


def restore_version(key: str, number: int) -> ResponseReturnValue:
    current, found = open_item(key, "edit")
    restored = authoring.restore_version(
        services().engine,
        found,
        current.launch,
        number=number,
        edited_from=load(VersionForm())["edited_from"],
        now=now(),
        recorder=recorder(),
    )
    return redirect(
        url_for("library.history", key=key, ls=current.token, restored=restored), code=303
    )
