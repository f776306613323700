"""LTI Dynamic Registration, end to end: fetch, check, register, store.

Nothing is stored until the platform has accepted the registration and answered with
a usable client id; the platform row and its deployment are then written in one
transaction. Registering the same (issuer, client id) again updates that row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.lti.dynamic_registration import (
    PlatformConfiguration,
    RegisteredClient,
    ToolDescription,
    parse_platform_configuration,
    parse_registration_response,
    registration_request,
)
from lti_tool.lti.registration_http import RegistrationHttp
from lti_tool.persistence.models import Deployment, Platform

log = logging.getLogger("peerlearn.registration")


@dataclass(frozen=True)
class Registered:
    """What the registration page tells the administrator."""

    platform_id: int
    name: str
    issuer: str
    client_id: str
    deployment_id: str | None
    active: bool
    created: bool


class Registrar:
    def __init__(
        self,
        *,
        http: RegistrationHttp,
        sessions: sessionmaker[Session],
        tool: ToolDescription,
        approval_required: bool,
    ) -> None:
        self._http = http
        self._sessions = sessions
        self._tool = tool
        self._approval_required = approval_required

    def register(self, configuration_url: str, registration_token: str | None) -> Registered:
        """Run the whole registration; raises ``RegistrationFailed`` with nothing stored."""
        self._http.policy.check(configuration_url, "OpenID configuration URL")
        document = self._http.get_json(
            configuration_url, token=registration_token, what="LMS's OpenID configuration"
        )
        platform = parse_platform_configuration(
            document,
            configuration_url=configuration_url,
            allow_http=self._http.policy.allow_http,
        )
        answer = self._http.post_json(
            platform.registration_endpoint,
            registration_request(platform, self._tool),
            token=registration_token,
            what="LMS's registration endpoint",
        )
        client = parse_registration_response(answer)
        registered = self._store(platform, client)
        log.info(
            "dynamic registration",
            extra={
                "platform_id": registered.platform_id,
                "issuer": registered.issuer,
                "client_id": registered.client_id,
                "active": registered.active,
                "new_registration": registered.created,
            },
        )
        return registered

    def _store(self, platform: PlatformConfiguration, client: RegisteredClient) -> Registered:
        try:
            return self._upsert(platform, client)
        except IntegrityError:
            # Two registrations of the same client raced; the second finds the first's row.
            return self._upsert(platform, client)

    def _upsert(self, platform: PlatformConfiguration, client: RegisteredClient) -> Registered:
        with self._sessions.begin() as session:
            row = session.scalars(
                select(Platform).where(
                    Platform.issuer == platform.issuer, Platform.client_id == client.client_id
                )
            ).one_or_none()
            created = row is None
            if row is None:
                row = Platform(
                    issuer=platform.issuer,
                    client_id=client.client_id,
                    active=not self._approval_required,
                )
                session.add(row)
            # An approved platform stays approved when it registers again.
            row.name = platform.display_name()
            row.auth_login_url = platform.authorization_endpoint
            row.auth_token_url = platform.token_endpoint
            row.auth_audience = platform.authorization_server
            if row.jwks_url != platform.jwks_uri:
                row.jwks, row.jwks_fetched_at = None, None  # keys of the old key set URL
            row.jwks_url = platform.jwks_uri
            session.flush()
            deployment_id = client.deployment_id
            if deployment_id and not any(d.deployment_id == deployment_id for d in row.deployments):
                row.deployments.append(Deployment(platform_id=row.id, deployment_id=deployment_id))
            session.flush()
            return Registered(
                platform_id=row.id,
                name=row.name,
                issuer=row.issuer,
                client_id=row.client_id,
                deployment_id=deployment_id,
                active=row.active,
                created=created,
            )
