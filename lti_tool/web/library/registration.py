"""Adding the course library to the app: its blueprint, the "library" activity kind's
launch page and picker choices, and the video allow-list."""

from __future__ import annotations

from flask import Flask

from config.settings import SettingsError
from lti_tool.domain.library.placement import COURSE_ITEMS, COURSE_TOPICS, KIND_KEY
from lti_tool.domain.library.video import configured_providers
from lti_tool.library.placement import item_choices, topic_choices
from lti_tool.web.kind_choices import register_choice_provider
from lti_tool.web.kind_pages import KindPages, register_kind_pages
from lti_tool.web.library.blueprint import library
from lti_tool.web.library.context import VIDEO_PROVIDERS
from lti_tool.web.library.placement import launch_page


def register_library(app: Flask) -> None:
    """The blueprint, the "library" kind's pages and picker choices, and the video
    allow-list (a mistake in ``PEERLEARN_VIDEO_PROVIDERS`` stops the app from starting,
    saying which)."""
    try:
        app.extensions[VIDEO_PROVIDERS] = configured_providers(
            app.extensions["peerlearn"].settings.video_providers
        )
    except ValueError as error:
        raise SettingsError(f"PEERLEARN_VIDEO_PROVIDERS: {error}") from None
    app.register_blueprint(library)
    register_kind_pages(app, KIND_KEY, KindPages(launch=launch_page))
    register_choice_provider(app, COURSE_TOPICS, topic_choices)
    register_choice_provider(app, COURSE_ITEMS, item_choices)
