"""Every kind of activity Peerlearn offers in the deep-linking picker, in order."""

from __future__ import annotations

from lti_tool.domain.activities import KindRegistry, default_kinds
from lti_tool.domain.library.placement import LIBRARY_KIND
from lti_tool.domain.peer_review.settings_form import PEER_REVIEW_KIND


def all_kinds() -> KindRegistry:
    registry = default_kinds()
    registry.register(PEER_REVIEW_KIND)
    registry.register(LIBRARY_KIND)
    return registry
