"""Flagging in the library: anyone who can see a published item or a comment on it sends
it to the staff of the item's own course, with a reason from the list and optional
words. The form here is also what the item page and the comment thread include
(``library/_flag.html``, whose reasons every library template is given)."""

from __future__ import annotations

from flask import redirect
from flask.typing import ResponseReturnValue

from lti_tool.domain.library.moderation import Reason, parse_reason
from lti_tool.library import staff
from lti_tool.rich_text import sanitise
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.library.context import (
    authorise_comment,
    authorise_item,
    item_url,
    now,
    recorder,
    render_notice,
    visit,
)
from lti_tool.web.library.forms import FlagForm


def _reason() -> Reason:
    form = load(FlagForm())
    return parse_reason(form["reason"], form["details"])


def flag_item_form(key: str) -> ResponseReturnValue:
    current = visit()
    shown = staff.flag_item_page(services().engine, current.viewer, key)
    return render_notice(
        "library/flag.html",
        current,
        item=shown.item,
        comment=None,
        own=shown.own,
        moderation_notice=shown.notice_for_author,
    )


def flag_item(key: str) -> ResponseReturnValue:
    current, _item = authorise_item(key)
    reason = _reason()  # read once the viewer may see the item: others learn nothing
    item = staff.flag_item(
        services().engine, current.viewer, key, reason, now=now(), recorder=recorder()
    )
    return redirect(item_url(current, item, notice="flagged", _anchor="item"), code=303)


def flag_comment_form(comment_id: int) -> ResponseReturnValue:
    current = visit()
    shown = staff.flag_comment_page(services().engine, current.viewer, comment_id)
    return render_notice(
        "library/flag.html",
        current,
        item=shown.item,
        comment=shown.comment,
        comment_html=sanitise(shown.comment.body_html),
        own=shown.own,
    )


def flag_comment(comment_id: int) -> ResponseReturnValue:
    current, _item = authorise_comment(comment_id)
    reason = _reason()
    item = staff.flag_comment(
        services().engine, current.viewer, comment_id, reason, now=now(), recorder=recorder()
    )
    anchor = f"comment-{comment_id}"
    return redirect(item_url(current, item, notice="flagged", _anchor=anchor), code=303)
