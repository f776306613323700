"""A person's notifications in their course's library: the inbox, the unread count for
the navigation, and marking them read."""

from __future__ import annotations

from flask import Response, jsonify, redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.library import browsing
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.library.context import item_page, render, visit
from lti_tool.web.library.forms import OpenForm, PagingQuery, load_numbers


def notifications() -> ResponseReturnValue:
    current = visit()
    before = load_numbers(PagingQuery())["before"]
    inbox = browsing.inbox(services().engine, current.viewer, before=before)
    return render("library/notifications.html", current, inbox=inbox)


def unread() -> Response:
    """The unread count for the library's navigation (cheap: one indexed count)."""
    current = visit()
    return jsonify({"unread": browsing.unread_count(services().engine, current.viewer)})


def read_notification(notification_id: int) -> ResponseReturnValue:
    """Mark one read; with ``open`` set to an item key, go on to that item."""
    current = visit()
    browsing.read_notification(services().engine, current.viewer, notification_id)
    target = load(OpenForm())["open"]
    if target:
        return redirect(item_page(target, current.token), code=303)
    return redirect(url_for("library.notifications", ls=current.token), code=303)


def read_all() -> ResponseReturnValue:
    current = visit()
    browsing.read_all(services().engine, current.viewer)
    return redirect(url_for("library.notifications", ls=current.token), code=303)
