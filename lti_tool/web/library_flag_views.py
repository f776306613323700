"""Flagging in the library (blueprint ``library_moderation``): anyone who can see a
published item or a comment on it sends it to the staff of the item's own course, with a
reason from the list and optional words. The forms here are also what the item page and
the comment thread include (``library/_flag.html``)."""

from __future__ import annotations

from typing import Any

from flask import redirect
from flask.typing import ResponseReturnValue

from lti_tool.domain.library.moderation import FlagReason, parse_reason
from lti_tool.library import moderation
from lti_tool.rich_text import sanitise
from lti_tool.web.context import services
from lti_tool.web.library_moderation_forms import FlagForm, load
from lti_tool.web.library_moderation_views import (
    item_url,
    library_moderation,
    load_comment,
    load_item,
    now,
    page,
    session,
)
from lti_tool.web.library_views import recorder


def _reason() -> Any:
    form = load(FlagForm())
    return parse_reason(form["reason"], form["details"])


@library_moderation.app_context_processor
def _flag_reasons() -> dict[str, Any]:
    # ``library/_flag.html`` is included by other helpers' pages: its choices come here.
    return {"flag_reasons": list(FlagReason)}


@library_moderation.get("/items/<key>/flag")
def flag_item_form(key: str) -> ResponseReturnValue:
    current = session()
    with services().engine.connect() as connection:
        item, viewer = load_item(connection, current, key)
        own = item.author_id == viewer.user_id
        notice_for_author = (
            moderation.author_notice(connection, item_id=item.id, author_id=viewer.user_id)
            if own
            else None
        )
    return page(
        "library/flag.html",
        current,
        item=item,
        comment=None,
        own=own,
        moderation_notice=notice_for_author,
    )


@library_moderation.post("/items/<key>/flag")
def flag_item(key: str) -> ResponseReturnValue:
    current = session()
    with services().engine.begin() as connection:
        item, viewer = load_item(connection, current, key)
        reason = _reason()  # read once the viewer may see the item: others learn nothing
        moderation.flag(
            connection,
            viewer=viewer,
            item=item,
            comment=None,
            reason=reason,
            now=now(),
            recorder=recorder(),
        )
    return redirect(item_url(current, item, notice="flagged", _anchor="item"), code=303)


@library_moderation.get("/comments/<int:comment_id>/flag")
def flag_comment_form(comment_id: int) -> ResponseReturnValue:
    current = session()
    with services().engine.connect() as connection:
        comment, item, viewer = load_comment(connection, current, comment_id)
    return page(
        "library/flag.html",
        current,
        item=item,
        comment=comment,
        comment_html=sanitise(comment.body_html),
        own=comment.author_id == viewer.user_id,
    )


@library_moderation.post("/comments/<int:comment_id>/flag")
def flag_comment(comment_id: int) -> ResponseReturnValue:
    current = session()
    with services().engine.begin() as connection:
        comment, item, viewer = load_comment(connection, current, comment_id)
        reason = _reason()
        moderation.flag(
            connection,
            viewer=viewer,
            item=item,
            comment=comment,
            reason=reason,
            now=now(),
            recorder=recorder(),
        )
    anchor = f"comment-{comment_id}"
    return redirect(item_url(current, item, notice="flagged", _anchor=anchor), code=303)
