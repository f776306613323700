"""The launch page of the "library" activity kind: a placement opens the whole library
or one topic (the index, ``library.index``, filtered by ``topic``), or one item
(``library.item``). Its picker choices are :mod:`lti_tool.library.placement`'s."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.library.placement import ITEM, TOPIC
from lti_tool.library.placement import placed_topic
from lti_tool.web.context import services
from lti_tool.web.kind_pages import ActivityLaunch
from lti_tool.web.library.context import now


def launch_page(launched: ActivityLaunch) -> ResponseReturnValue:
    settings, token = launched.activity.settings, launched.token
    placement = settings.get("placement")
    if placement == ITEM:
        return redirect(url_for("library.item", key=settings.get("item_key", ""), ls=token))
    if placement == TOPIC:
        topic_id = placed_topic(
            services().engine,
            launched.activity.context_id,
            settings,
            user_id=launched.launch.user_id,
            now=now(),
        )
        return redirect(url_for("library.index", topic=topic_id, ls=token))
    return redirect(url_for("library.index", ls=token))
