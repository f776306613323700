"""Willing reviewers near the deadline: volunteers, then learners who did their share and
were here in the last day; volunteers are asked first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lti_tool.domain.peer_review.model import GroupPolicy, SubmissionId
from lti_tool.domain.peer_review.review_queue import reassign
from lti_tool.domain.peer_review.willing import ReviewerStanding, willing_reviewers
from tests.unit.domain.peer_review.test_review_queue import HOUR, T0, person, state


def standing(n: int, **changes: object) -> ReviewerStanding:
    base: dict[str, object] = {
        "person": person(n),
        "completed": 2,
        "load": 2,
        "volunteered": False,
        "last_launch": T0 - HOUR,
    }
    return ReviewerStanding(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "willing", "volunteer"),
    [
        ({}, True, False),  # did their share, here an hour ago
        ({"last_launch": T0 - timedelta(hours=24)}, True, False),  # the edge of the day
        ({"last_launch": T0 - timedelta(hours=24, seconds=1)}, False, False),
        ({"last_launch": None}, False, False),  # never launched
        ({"completed": 1}, False, False),  # their own reviews not done
        ({"volunteered": True, "last_launch": None}, True, True),  # offered: always asked
    ],
)
def test_the_rule(changes: dict[str, object], willing: bool, volunteer: bool) -> None:
    found = willing_reviewers([standing(1, **changes)], k=2, now=T0)
    assert (person(1) in found.load) is willing
    assert (person(1) in found.volunteers) is volunteer


def test_volunteers_are_asked_before_less_loaded_recent_reviewers() -> None:
    found = willing_reviewers(
        [standing(7, volunteered=True, load=5), standing(8, load=2), standing(9, load=0)],
        k=2,
        now=T0,
    )
    assert found.load == {person(7): 5, person(8): 2, person(9): 0}
    plan = reassign(
        [state(1, completed=0)],
        k=2,
        willing=found.load,
        preferred=found.volunteers,
        reviewed_by={},
        policy=GroupPolicy.NONE,
        groups={},
        now=T0,
        review_deadline=T0 + 10 * HOUR,
        warning_window=24 * HOUR,
    )
    # The volunteer first despite the load, then the least loaded of the others.
    assert [(lease.reviewer, lease.submission) for lease in plan.leases] == [
        ("p7", SubmissionId("s1")),
        ("p9", SubmissionId("s1")),
    ]
