"""Pages an activity kind may add: its own launch page and its Submission Review page.

A kind without pages opens Peerlearn's course page on launch; a graded kind shows an
instructor one learner's work from the LMS gradebook through ``submission_review``
(an ``LtiSubmissionReviewRequest``). Kinds register their pages beside their
:class:`~lti_tool.domain.activities.ActivityKind` with :func:`register_kind_pages`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.typing import ResponseReturnValue

from lti_tool.courses.activities import PlacedActivity
from lti_tool.launch_session import LaunchSession


@dataclass(frozen=True)
class ActivityLaunch:
    activity: PlacedActivity
    launch: LaunchSession
    token: str


@dataclass(frozen=True)
class SubmissionReview:
    """An instructor asks, from the gradebook, to see one learner's work."""

    activity: PlacedActivity
    launch: LaunchSession
    token: str
    learner_sub: str
    learner_id: int | None  # None when the learner never launched Peerlearn
    learner_name: str


@dataclass(frozen=True)
class KindPages:
    launch: Callable[[ActivityLaunch], ResponseReturnValue] | None = None
    submission_review: Callable[[SubmissionReview], ResponseReturnValue] | None = None


def register_kind_pages(app: Flask, kind_key: str, pages: KindPages) -> None:
    registry: dict[str, KindPages] = app.extensions["peerlearn"].kind_pages
    if kind_key in registry:
        raise ValueError(f"pages for activity kind {kind_key!r} are registered already")
    registry[kind_key] = pages


def pages_for(registry: dict[str, KindPages], kind_key: str) -> KindPages:
    return registry.get(kind_key) or KindPages()
