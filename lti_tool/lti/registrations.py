"""Platform registrations as read by every login and launch, cached briefly per process.

Registrations change rarely (an administrator runs ``peerlearn platform ...``) and are read
on every login and launch, so a found registration is kept for ``ttl`` seconds. A miss
is never cached: a new platform or deployment works at once, while a removal or change
reaches every process within ``ttl``.

A registration awaiting approval (``active`` false, after LTI Dynamic Registration) is
returned but, like a miss, never cached: ``peerlearn platform approve`` takes effect at
once in every process, and a pending platform costs one query per login or launch.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, select

from lti_tool.persistence.models import Deployment, Platform

DEFAULT_TTL_SECONDS = 30.0

_BY_KEY = (
    select(
        Platform.id,
        Platform.issuer,
        Platform.client_id,
        Platform.name,
        Platform.auth_login_url,
        Platform.auth_token_url,
        Platform.auth_audience,
        Platform.jwks_url,
        Platform.xapi_share_names,
        Platform.active,
        Deployment.id.label("deployment_pk"),
        Deployment.deployment_id,
    )
    .outerjoin(Deployment, Deployment.platform_id == Platform.id)
    .where(Platform.issuer == bindparam("issuer"), Platform.client_id == bindparam("client_id"))
)
_CLIENTS_OF_ISSUER = select(Platform.client_id).where(Platform.issuer == bindparam("issuer"))


@dataclass(frozen=True)
class PlatformRegistration:
    """One registration (issuer + client id) and its deployments (LTI id -> our id)."""

    id: int
    issuer: str
    client_id: str
    name: str
    auth_login_url: str
    auth_token_url: str
    auth_audience: str | None
    jwks_url: str
    deployments: dict[str, int]
    xapi_share_names: bool = False
    # False while a dynamically registered platform awaits an administrator's approval.
    active: bool = True


class RegistrationDirectory:
    def __init__(
        self,
        engine: Engine,
        *,
        ttl: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, PlatformRegistration]] = {}
        self._lock = threading.Lock()

    def find(
        self, issuer: str, client_id: str, *, fresh: bool = False
    ) -> PlatformRegistration | None:
        key = (issuer, client_id)
        now = self._clock()
        if not fresh:
            with self._lock:
                cached = self._cache.get(key)
            if cached is not None and now - cached[0] < self._ttl:
                return cached[1]
        found = self._load(issuer, client_id)
        with self._lock:
            if found is None or not found.active:
                self._cache.pop(key, None)
            else:
                self._cache[key] = (now, found)
        return found

    def deployment_pk(self, issuer: str, client_id: str, deployment_id: str) -> int | None:
        """Our id of a registered deployment; a cache miss asks the database again."""
        registration = self.find(issuer, client_id)
        if registration is not None and deployment_id in registration.deployments:
            return registration.deployments[deployment_id]
        registration = self.find(issuer, client_id, fresh=True)
        return registration.deployments.get(deployment_id) if registration else None

    def client_ids(self, issuer: str) -> list[str]:
        with self._engine.connect() as connection:
            return list(connection.scalars(_CLIENTS_OF_ISSUER, {"issuer": issuer}))

    def _load(self, issuer: str, client_id: str) -> PlatformRegistration | None:
        with self._engine.connect() as connection:
            rows: list[Any] = list(
                connection.execute(_BY_KEY, {"issuer": issuer, "client_id": client_id})
            )
        if not rows:
            return None
        first = rows[0]
        return PlatformRegistration(
            id=first.id,
            issuer=first.issuer,
            client_id=first.client_id,
            name=first.name,
            auth_login_url=first.auth_login_url,
            auth_token_url=first.auth_token_url,
            auth_audience=first.auth_audience,
            jwks_url=first.jwks_url,
            xapi_share_names=bool(first.xapi_share_names),
            active=bool(first.active),
            deployments={
                row.deployment_id: row.deployment_pk
                for row in rows
                if row.deployment_pk is not None
            },
        )
