"""The peer review blueprint with every module that adds routes to it imported."""

from __future__ import annotations

from lti_tool.web import (  # noqa: F401 - imported for the routes they add
    peer_review_calibration,
    peer_review_groups,
    peer_review_lms_groups,
    peer_review_queue_views,
    peer_review_reviewing,
    peer_review_rubrics,
    peer_review_staff,
)
from lti_tool.web.peer_review_views import peer_review

__all__ = ["peer_review"]
