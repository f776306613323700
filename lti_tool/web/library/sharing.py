"""Sharing library items: staff of an item's own course see the other courses of the
same deployment where they are staff too, share the item there, or stop sharing it."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.library import staff
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.library.context import authorise_item, now, recorder, render_notice, visit
from lti_tool.web.library.forms import ShareForm


def _target() -> int:
    course: int = load(ShareForm())["course"]
    return course


def share_page(key: str) -> ResponseReturnValue:
    current = visit()
    shown = staff.share_page(services().engine, current.viewer, key)
    return render_notice(
        "library/share.html",
        current,
        item=shown.item,
        candidates=shown.candidates,
        shared=shown.shared,
    )


def share(key: str) -> ResponseReturnValue:
    current, _item = authorise_item(key, staff=True)
    target = _target()  # read once staff may act: a refusal says nothing more
    added = staff.share(
        services().engine, current.viewer, key, target, now=now(), recorder=recorder()
    )
    return redirect(
        url_for(
            "library.share_page",
            key=key,
            ls=current.token,
            notice="shared" if added else "already-shared",
        ),
        code=303,
    )


def unshare(key: str) -> ResponseReturnValue:
    current, _item = authorise_item(key, staff=True)
    staff.unshare(services().engine, current.viewer, key, _target(), now=now())
    return redirect(
        url_for("library.share_page", key=key, ls=current.token, notice="unshared"), code=303
    )
