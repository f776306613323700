"""Sharing pages of the library (blueprint ``library_moderation``): staff of an item's
own course see the other courses of the same deployment where they are staff too,
share the item there, or stop sharing it."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.library import sharing
from lti_tool.web.context import services
from lti_tool.web.library_moderation_forms import ShareForm, load
from lti_tool.web.library_moderation_views import (
    library_moderation,
    load_item,
    now,
    page,
    require_staff,
    session,
)
from lti_tool.web.library_views import recorder


def _target() -> int:
    course: int = load(ShareForm())["course"]
    return course


@library_moderation.get("/items/<key>/share")
def share_page(key: str) -> ResponseReturnValue:
    current = session()
    with services().engine.connect() as connection:
        item, viewer = load_item(connection, current, key)
        require_staff(viewer)
        candidates = sharing.candidate_courses(
            connection, item=item, staff_id=current.launch.user_id
        )
        shared = sharing.shared_to(connection, item.id)
    return page("library/share.html", current, item=item, candidates=candidates, shared=shared)


@library_moderation.post("/items/<key>/share")
def share(key: str) -> ResponseReturnValue:
    current = session()
    with services().engine.begin() as connection:
        item, viewer = load_item(connection, current, key)
        require_staff(viewer)  # before reading the form: a refusal says nothing more
        target = _target()
        added = sharing.share(
            connection,
            viewer=viewer,
            item=item,
            target_context_id=target,
            now=now(),
            recorder=recorder(),
        )
    return redirect(
        url_for(
            "library_moderation.share_page",
            key=key,
            ls=current.token,
            notice="shared" if added else "already-shared",
        ),
        code=303,
    )


@library_moderation.post("/items/<key>/unshare")
def unshare(key: str) -> ResponseReturnValue:
    current = session()
    with services().engine.begin() as connection:
        item, viewer = load_item(connection, current, key)
        require_staff(viewer)
        target = _target()
        sharing.unshare(connection, viewer=viewer, item=item, target_context_id=target, now=now())
    return redirect(
        url_for("library_moderation.share_page", key=key, ls=current.token, notice="unshared"),
        code=303,
    )
