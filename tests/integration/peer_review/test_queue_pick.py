"""The queue's pick in one SQL query agrees with the domain's rule, on SQLite and
PostgreSQL, over random courses (states, leases, groups and policies)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, insert, select

from lti_tool.domain.peer_review.model import GroupPolicy, ParticipantId, SubmissionId
from lti_tool.domain.peer_review.review_queue import pick_next
from lti_tool.peer_review import queue
from lti_tool.peer_review.tally import recount
from lti_tool.persistence.models import Activity, User
from lti_tool.persistence.peer_review_models import Allocation, Submission
from tests.factories import lti as rows

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
FAR = NOW + timedelta(days=365)
PEOPLE = 24


def course(connection: Connection) -> tuple[int, list[int]]:
    chain = rows.course_chain(connection, issuer="https://lms", title=None)
    platform, context = chain.platform_id, chain.context_id
    activity = connection.execute(
        insert(Activity)
        .values(key="k", context_id=context, kind="peer-review", title="t", settings={})
        .returning(Activity.id)
    ).scalar_one()
    people = [
        connection.execute(
            insert(User).values(platform_id=platform, sub=f"u{n}").returning(User.id)
        ).scalar_one()
        for n in range(PEOPLE)
    ]
    return activity, people


def scenario(connection: Connection, activity: int, people: list[int], rng: random.Random) -> None:
    groups = [None, "red", "blue", "green"]
    submissions = []
    for position, author in enumerate(rng.sample(people, rng.randint(2, PEOPLE))):
        submissions.append(
            connection.execute(
                insert(Submission)
                .values(
                    activity_id=activity,
                    author_id=author,
                    group_key=rng.choice(groups),
                    first_submitted_at=NOW
                    - timedelta(hours=100 - position, seconds=rng.randint(0, 59)),
                    last_submitted_at=NOW,
                )
                .returning(Submission.id, Submission.author_id)
            ).one()
        )
    for submission in submissions:
        for reviewer in rng.sample(people, rng.randint(0, 5)):
            if reviewer == submission.author_id:
                continue
            state = rng.choice(["completed", "assigned", "in_progress", "expired"])
            lease = rng.choice([None, NOW - timedelta(hours=1), NOW + timedelta(hours=3)])
            connection.execute(
                insert(Allocation).values(
                    activity_id=activity,
                    submission_id=submission.id,
                    reviewer_id=reviewer,
                    state=state,
                    source="queue" if lease else "balanced",
                    assigned_at=NOW - timedelta(hours=5),
                    lease_expires_at=lease,
                )
            )


@pytest.mark.parametrize("policy", list(GroupPolicy))
def test_the_query_picks_what_the_rule_picks(engine: Engine, policy: GroupPolicy) -> None:
    rng = random.Random(f"queue-{policy}")  # noqa: S311 - reproducible test data
    agreed = 0
    for _round in range(12):
        with engine.connect() as connection:
            transaction = connection.begin()
            activity, people = course(connection)
            scenario(connection, activity, people, rng)
            queue.expire_leases(connection, activity_id=activity, now=NOW)
            recount(connection, connection.scalars(select(Submission.id)))
            states = queue.submission_states(connection, activity, open_until=FAR)
            groups = {state.author: state.group for state in states if state.group}
            for reviewer in rng.sample(people, 6):
                mine = {
                    SubmissionId(str(found))
                    for found in connection.scalars(
                        select(Allocation.submission_id).where(Allocation.reviewer_id == reviewer)
                    )
                }
                own_group = groups.get(ParticipantId(str(reviewer)))
                expected = pick_next(
                    ParticipantId(str(reviewer)),
                    states,
                    policy=policy,
                    groups=groups or None,
                    already_reviewed_by_reviewer=mine,
                    now=NOW,
                )
                found = queue.pick_in_database(
                    connection,
                    activity_id=activity,
                    reviewer_id=reviewer,
                    reviewer_group=own_group,
                    policy=policy,
                )
                assert found == expected, (reviewer, policy)
                agreed += expected is not None
            transaction.rollback()
    assert agreed > 10  # the comparison was not between two Nones
