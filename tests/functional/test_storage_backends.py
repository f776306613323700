"""Launch state and nonces in Redis when PEERLEARN_REDIS_URL is set (else the database)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select

from lti_tool.lti.launch import cached_launch
from lti_tool.persistence.ephemeral import RedisEphemeralStore, SqlEphemeralStore
from lti_tool.persistence.models import EphemeralEntry
from tests.functional.conftest import LtiWorld, build_world


@pytest.fixture
def redis_world(tmp_path: Path, database_url: str, redis_url: str) -> Iterator[LtiWorld]:
    yield from build_world(tmp_path, database_url, redis_url=redis_url)


@pytest.mark.redis
def test_launch_data_and_nonces_live_in_redis(redis_world: LtiWorld, redis_url: str) -> None:
    assert isinstance(redis_world.services.store, RedisEphemeralStore)
    browser, page = redis_world.login("demo-learner-1")
    action, fields = browser.get(page.response.headers["Location"]).form()

    launched = browser.post(action, fields)
    assert launched.status == 200
    assert browser.post(action, fields).error_code() == "nonce_replayed"
    launch_id = redis_world.services.launch_sessions.read(
        launched.meta("peerlearn-session")
    ).launch_id
    client = Redis.from_url(redis_url)
    assert client.exists(f"peerlearn:launch:{launch_id}")
    client.close()
    with redis_world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(EphemeralEntry)) == 0


def test_database_store_is_the_default(world: LtiWorld) -> None:
    assert isinstance(world.services.store, SqlEphemeralStore)
    _browser, page = world.launch("demo-learner-1")
    launch_id = world.services.launch_sessions.read(page.meta("peerlearn-session")).launch_id
    with world.services.sessions() as session:
        keys = session.scalars(select(EphemeralEntry.key)).all()
    assert f"launch:{launch_id}" in keys


@pytest.mark.redis
def test_launch_data_is_kept_for_the_launch_session(redis_world: LtiWorld) -> None:
    _browser, page = redis_world.launch("demo-teacher")
    launch_id = redis_world.services.launch_sessions.read(page.meta("peerlearn-session")).launch_id
    claims = cached_launch(redis_world.services.store, launch_id)
    assert claims is not None
    assert claims["sub"] == "demo-teacher"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == "test-deployment"
