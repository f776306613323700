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
