"""Grade passback through the outbox to a real platform's gradebook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from lti_tool.courses.grade_passback import GradeWorker, record_score
from lti_tool.lti.ags import AgsClient
from lti_tool.persistence.models import OutboxMessage
from tests.functional.conftest import LtiWorld
from tests.functional.test_ags import setup


def score(user: str, given: float, at: datetime, **extra: object) -> dict:
    return {
        "userId": user,
        "scoreGiven": given,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": at.isoformat(),
        **extra,
    }


def worker(world: LtiWorld) -> GradeWorker:
    return GradeWorker(
        world.services.engine,
        AgsClient(world.services.service_tokens),
        world.services.registrations,
    )


def states(world: LtiWorld) -> list[str]:
    with world.services.sessions() as session:
        return list(
            session.scalars(
                select(OutboxMessage.state)
                .where(OutboxMessage.topic == "ags-score")
                .order_by(OutboxMessage.id)
            )
        )


def test_scores_reach_the_gradebook_in_order(world: LtiWorld) -> None:
    ags, platform, lineitems = setup(world)
    item = ags.create(platform, lineitems, {"scoreMaximum": 10, "label": "Essay"})
    now = datetime.now(UTC)
    with world.services.engine.begin() as connection:
        record_score(
            connection,
            platform_id=platform.id,
            lineitem_url=item["id"],
            score=score("demo-learner-1", 4, now - timedelta(minutes=1)),
        )
        record_score(
            connection,
            platform_id=platform.id,
            lineitem_url=item["id"],
            score=score("demo-learner-1", 9, now),
        )
        record_score(
            connection,
            platform_id=platform.id,
            lineitem_url=item["id"],
            score=score("demo-learner-2", 7, now),
        )
    assert worker(world).run_once() == 3
    results = {r["userId"]: r["resultScore"] for r in ags.results(platform, item["id"])}
    assert results == {"demo-learner-1": 9, "demo-learner-2": 7}
    assert states(world) == ["delivered"] * 3


def test_an_unreachable_gradebook_holds_later_scores_back(world: LtiWorld) -> None:
    ags, platform, lineitems = setup(world)
    item = ags.create(platform, lineitems, {"scoreMaximum": 10, "label": "Essay"})
    now = datetime.now(UTC)
    with world.services.engine.begin() as connection:
        record_score(
            connection,
            platform_id=platform.id,
            lineitem_url="http://127.0.0.1:1/ags/lineitems/1",
            score=score("demo-learner-1", 4, now),
        )
        record_score(
            connection,
            platform_id=platform.id,
            lineitem_url=item["id"],
            score=score("demo-learner-1", 9, now),
        )
    assert worker(world).run_once() == 0
    assert states(world) == ["pending", "pending"]  # nothing lost, nothing out of order
    assert ags.results(platform, item["id"]) == []


def test_a_refused_score_is_dead_lettered_and_the_rest_go_on(world: LtiWorld) -> None:
    ags, platform, lineitems = setup(world)
    item = ags.create(platform, lineitems, {"scoreMaximum": 10, "label": "Essay"})
    now = datetime.now(UTC)
    broken = score("demo-learner-1", 4, now)
    del broken["gradingProgress"]
    with world.services.engine.begin() as connection:
        record_score(connection, platform_id=platform.id, lineitem_url=item["id"], score=broken)
        record_score(
            connection,
            platform_id=platform.id,
            lineitem_url=item["id"],
            score=score("demo-learner-2", 6, now),
        )
    assert worker(world).run_once() == 1
    assert states(world) == ["dead", "delivered"]
