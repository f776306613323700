"""Moved to :mod:`tests.factories.library` (and :mod:`tests.factories.lti`); this name stays
only so branches written before the move still import. New tests import the factories."""

from tests.factories.library import (
    NOW,
    comment,
    course,
    deployment,
    item,
    member,
    person,
    platform,
    render,
)

__all__ = [
    "NOW",
    "comment",
    "course",
    "deployment",
    "item",
    "member",
    "person",
    "platform",
    "render",
]
