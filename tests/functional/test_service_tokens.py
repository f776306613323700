"""Service tokens from a real platform's token endpoint (lti1p3platform), cached and shared."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import requests
from redis import Redis

from lti_tool.keys import KeyRing
from lti_tool.lti.outbound import OutboundPolicy
from lti_tool.lti.service_tokens import ServiceTokenError, ServiceTokens
from lti_tool.persistence.ephemeral import RedisEphemeralStore, SqlEphemeralStore
from tests.functional.conftest import LtiWorld

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"


class Clock:
    now = 2_000_000_000.0

    def __call__(self) -> float:
        return self.now


# The demo LMS runs on loopback over http: development's outbound policy.
LOOPBACK = OutboundPolicy(allow_http=True, allow_loopback=True)


def loopback_tokens(*args: Any, **kwargs: Any) -> ServiceTokens:
    return ServiceTokens(*args, policy=LOOPBACK, **kwargs)


def registration(world: LtiWorld):
    found = world.services.registrations.find(
        world.lms.platform.issuer, world.lms.platform.client_id
    )
    assert found is not None
    return found


def test_token_is_granted_for_a_signed_client_assertion(world: LtiWorld) -> None:
    token = world.services.service_tokens.token(registration(world), [SCORE, LINEITEM])
    assert token.count(".") == 2  # the platform's JWT
    assert world.lms.hits["/token"] == 1


def test_tokens_are_cached_per_scopes_until_shortly_before_expiry(world: LtiWorld) -> None:
    clock = Clock()
    tokens = loopback_tokens(world.services.store, world.services.key_ring, clock=clock)
    platform = registration(world)
    first = tokens.token(platform, [SCORE, LINEITEM])
    assert tokens.token(platform, [LINEITEM, SCORE]) == first  # scope order does not matter
    assert world.lms.hits["/token"] == 1
    tokens.token(platform, [SCORE])
    assert world.lms.hits["/token"] == 2  # other scopes, other token
    clock.now += 3600 - 30  # the platform grants an hour; we renew a minute early
    tokens.token(platform, [SCORE, LINEITEM])
    assert world.lms.hits["/token"] == 3


def test_tokens_are_shared_by_processes_and_renewed_after_a_401(world: LtiWorld) -> None:
    platform = registration(world)
    one = loopback_tokens(world.services.store, world.services.key_ring)
    # Another process: its own connections to the same store, its own key ring.
    shared = world.services.store
    own_store = (
        SqlEphemeralStore.for_url(world.services.settings.database_url)
        if isinstance(shared, SqlEphemeralStore)
        else None
    )
    other_process = loopback_tokens(own_store or shared, KeyRing(world.services.settings.keys_dir))
    try:
        token = one.token(platform, [SCORE])
        assert other_process.token(platform, [SCORE]) == token
        assert world.lms.hits["/token"] == 1
        other_process.invalidate(platform, [SCORE])  # a service answered 401
        one.token(platform, [SCORE])
        assert world.lms.hits["/token"] == 2
    finally:
        if own_store is not None:
            own_store.close()


@pytest.mark.redis
def test_tokens_in_redis(world: LtiWorld, redis_url: str) -> None:
    client = Redis.from_url(redis_url)
    stale = client.keys("token-test:*")
    if stale:
        client.delete(*stale)
    tokens = loopback_tokens(
        RedisEphemeralStore(client, prefix="token-test:"), world.services.key_ring
    )
    platform = registration(world)
    token = tokens.token(platform, [SCORE])
    assert tokens.token(platform, [SCORE]) == token
    assert world.lms.hits["/token"] == 1
    client.close()


def test_tool_key_rotation_is_picked_up_by_the_platform(world: LtiWorld) -> None:
    platform = registration(world)
    world.services.service_tokens.token(platform, [SCORE])
    KeyRing(world.services.settings.keys_dir).rotate()
    time.sleep(1.1)  # every process publishes the new key within a second
    fresh = loopback_tokens(world.services.store, KeyRing(world.services.settings.keys_dir))
    fresh.invalidate(platform, [SCORE])
    assert fresh.token(platform, [SCORE])  # signed with the new key, found after a refetch


def test_refusal_is_a_clear_error(world: LtiWorld) -> None:
    platform = registration(world)
    stranger = loopback_tokens(
        world.services.store, KeyRing(Path(world.services.settings.instance_dir) / "other")
    )
    KeyRing(Path(world.services.settings.instance_dir) / "other").generate()  # unknown key
    with pytest.raises(ServiceTokenError, match="refused a service token"):
        stranger.token(platform, [LINEITEM])


def test_unreachable_token_endpoint(world: LtiWorld) -> None:
    from dataclasses import replace  # noqa: PLC0415

    platform = replace(registration(world), auth_token_url="http://127.0.0.1:1/token")
    with pytest.raises(ServiceTokenError, match="could not be reached"):
        loopback_tokens(
            world.services.store, world.services.key_ring, http=requests.Session()
        ).token(platform, [SCORE])
