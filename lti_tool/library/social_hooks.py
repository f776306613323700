"""Adapter to lib-social's feed and notifications, called when an item is published.

``lti_tool.library.feed.record_published`` and
``lti_tool.library.notifications.notify_new_item`` belong to the social-learning part of
the library. Until they exist on this branch the publish operation calls them through
here, and a missing module is skipped; once they land, these become plain calls.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy import Connection


def _optional(module: str, name: str) -> Any:
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as missing:
        if missing.name != module:
            raise  # the module exists but something it imports does not: a real bug
        return None
    return getattr(found, name)


def item_published(connection: Connection, item: Any) -> None:
    """Tell the feed and the followers of an item's topics and author that it is out."""
    for module, name in (
        ("lti_tool.library.feed", "record_published"),
        ("lti_tool.library.notifications", "notify_new_item"),
    ):
        hook = _optional(module, name)
        if hook is not None:
            hook(connection, item)


def item_panels(connection: Connection, item_id: int, viewer: Any) -> dict[str, Any]:
    """What the item page's comment thread and vote panel need, from lib-social's
    ``comments.thread_for`` and ``votes.vote_panel`` when they exist."""
    panels: dict[str, Any] = {}
    thread_for = _optional("lti_tool.library.comments", "thread_for")
    if thread_for is not None:
        panels["comments"] = thread_for(connection, item_id, viewer)
    vote_panel = _optional("lti_tool.library.votes", "vote_panel")
    if vote_panel is not None:
        panels["vote_panel"] = vote_panel(connection, item_id, viewer.user_id)
    return panels
