"""The registration directory: found registrations cached briefly, misses never."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from lti_tool.domain.errors import RegistrationAwaitingApproval
from lti_tool.keys import KeyRing
from lti_tool.lti.registrations import RegistrationDirectory
from lti_tool.lti.tool_conf import SqlToolConf
from lti_tool.persistence.models import Platform, utcnow
from tests.factories import lti as rows


class Clock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


def add_platform(
    engine: Engine, client_id: str = "c", deployments: tuple[str, ...] = ("d1",)
) -> int:
    with engine.begin() as connection:
        platform_id = rows.platform(
            connection,
            client_id=client_id,
            name="LMS",
            auth_login_url="https://lms.example/auth",
            auth_token_url="https://lms.example/t",
            jwks_url="https://lms.example/jwks",
            created_at=utcnow(),
        )
        for deployment in deployments:
            rows.deployment(connection, platform_id, deployment)
    return int(platform_id)


def test_find_reads_registration_and_deployments(engine: Engine) -> None:
    platform_id = add_platform(engine, deployments=("d1", "d2"))
    found = RegistrationDirectory(engine).find("https://lms.example", "c")
    assert found is not None
    assert (found.id, found.auth_login_url) == (platform_id, "https://lms.example/auth")
    assert sorted(found.deployments) == ["d1", "d2"]
    assert RegistrationDirectory(engine).find("https://lms.example", "other") is None


def test_several_client_ids_per_issuer(engine: Engine) -> None:
    add_platform(engine, "c1")
    add_platform(engine, "c2", deployments=())
    directory = RegistrationDirectory(engine)
    assert sorted(directory.client_ids("https://lms.example")) == ["c1", "c2"]
    assert directory.find("https://lms.example", "c2").deployments == {}


def test_removal_reaches_the_cache_after_ttl(engine: Engine) -> None:
    add_platform(engine)
    clock = Clock()
    directory = RegistrationDirectory(engine, ttl=30, clock=clock)
    assert directory.find("https://lms.example", "c") is not None
    with engine.begin() as connection:
        connection.execute(delete(Platform))
    assert directory.find("https://lms.example", "c") is not None  # still cached
    clock.now += 31
    assert directory.find("https://lms.example", "c") is None


def test_misses_are_not_cached(engine: Engine) -> None:
    directory = RegistrationDirectory(engine, ttl=30, clock=Clock())
    assert directory.find("https://lms.example", "c") is None
    add_platform(engine)
    assert directory.find("https://lms.example", "c") is not None


def test_new_deployment_is_found_at_once(engine: Engine) -> None:
    platform_id = add_platform(engine)
    directory = RegistrationDirectory(engine, ttl=30, clock=Clock())
    assert directory.deployment_pk("https://lms.example", "c", "d1") is not None
    assert directory.deployment_pk("https://lms.example", "c", "d2") is None
    with engine.begin() as connection:
        rows.deployment(connection, platform_id, "d2")
    assert directory.deployment_pk("https://lms.example", "c", "d2") is not None


def test_a_pending_registration_is_found_inactive_and_never_cached(engine: Engine) -> None:
    from sqlalchemy import update  # noqa: PLC0415

    add_platform(engine)
    with engine.begin() as connection:
        connection.execute(update(Platform).values(active=False))
    clock = Clock()
    directory = RegistrationDirectory(engine, ttl=30, clock=clock)
    found = directory.find("https://lms.example", "c")
    assert found is not None
    assert found.active is False
    with engine.begin() as connection:
        connection.execute(update(Platform).values(active=True))
    # No TTL to wait for: the approval is seen by the next lookup.
    approved = directory.find("https://lms.example", "c")
    assert approved is not None
    assert approved.active is True


def test_the_tool_configuration_refuses_a_pending_registration(
    engine: Engine, tmp_path: Path
) -> None:
    from sqlalchemy import update  # noqa: PLC0415

    platform_id = add_platform(engine)
    with engine.begin() as connection:
        connection.execute(update(Platform).values(active=False))
    conf = SqlToolConf(RegistrationDirectory(engine), KeyRing(tmp_path / "keys"))
    with pytest.raises(RegistrationAwaitingApproval) as caught:
        conf.find_registration_by_params("https://lms.example", "c")
    assert caught.value.status == 403
    assert f"peerlearn platform approve {platform_id}" in caught.value.detail
    with pytest.raises(RegistrationAwaitingApproval):
        conf.find_registration_by_issuer("https://lms.example")
    assert conf.find_registration_by_params("https://lms.example", "other") is None
