"""Who may be asked to review more when work is short near the review deadline.

The rule: a learner is *willing* if they offered to review more (an explicit volunteer,
who could offer only after their own ``k`` reviews), or if they completed their own
``k`` reviews and launched the course within the last 24 hours: someone who did their
share and is around is likely to take one more before the deadline. Explicit volunteers
are asked first; among each kind, the least loaded. Staff are never peers, so only
learners are weighed (the caller passes learners and volunteers only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from lti_tool.domain.peer_review.model import ParticipantId

RECENTLY_ACTIVE = timedelta(hours=24)


@dataclass(frozen=True)
class ReviewerStanding:
    """One learner of the activity as the rule weighs them."""

    person: ParticipantId
    completed: int  # peer reviews they completed in this activity
    load: int  # reviews completed or under way: the least loaded are asked first
    volunteered: bool
    last_launch: datetime | None  # None: known from the roster only


@dataclass(frozen=True)
class WillingReviewers:
    load: Mapping[ParticipantId, int]  # everyone who may be asked, with their load
    volunteers: frozenset[ParticipantId]  # of those, who offered: asked first


def willing_reviewers(
    standings: Iterable[ReviewerStanding],
    *,
    k: int,
    now: datetime,
    recently: timedelta = RECENTLY_ACTIVE,
) -> WillingReviewers:
    """The learners who may be asked for more reviews now (see the module's rule)."""
    load: dict[ParticipantId, int] = {}
    volunteers: set[ParticipantId] = set()
    for standing in standings:
        did_their_share = standing.completed >= k
        around = standing.last_launch is not None and now - standing.last_launch <= recently
        if standing.volunteered:
            volunteers.add(standing.person)
        elif not (did_their_share and around):
            continue
        load[standing.person] = standing.load
    return WillingReviewers(load=load, volunteers=frozenset(volunteers))
