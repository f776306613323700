"""Adapter to lib-social's feed and notifications, called when staff approve or restore
an item (it becomes published).

``lti_tool.library.feed.record_published`` and
``lti_tool.library.notifications.notify_new_item`` belong to the social part of the
library and announce an item once (a restored item is not news again). Until they are
on this branch a missing module is skipped; at merge these become plain calls (lib-core's
``social_hooks.item_published`` does the same for its publish operation).
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
    """``item`` has ``id``, ``context_id`` and ``author_id`` (an ``ItemTarget``)."""
    for module, name in (
        ("lti_tool.library.feed", "record_published"),
        ("lti_tool.library.notifications", "notify_new_item"),
    ):
        hook = _optional(module, name)
        if hook is not None:
            hook(connection, item)
