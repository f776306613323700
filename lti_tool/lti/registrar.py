"""LTI Dynamic Registration, end to end: fetch, check, register, store.

Nothing is stored until the platform has accepted the registration and answered with
a usable client id; the platform row and its deployment are then written in one
transaction. Dynamic Registration only ever creates: an issuer Peerlearn knows already
(whatever the client id: Canvas shares one issuer between schools, and a second client
of an issuer would also break logins that name none) is refused before the platform is
asked to register us, and again in the storing transaction. Whoever can reach
``/lti/register`` could otherwise replace an approved platform's login, token and key
set URLs with their own and launch as its people; changes go through the ``peerlearn``
command.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.domain.errors import RegistrationFailed
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
            endpoint_hosts=self._http.policy.allowed_hosts,
        )
        with self._sessions() as session:
            self._refuse_known_issuer(session, platform.issuer)
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
            },
        )
        return registered

    def _store(self, platform: PlatformConfiguration, client: RegisteredClient) -> Registered:
        try:
            return self._create(platform, client)
        except IntegrityError:
            # Two registrations of the same client raced; the first one stands.
            with self._sessions() as session:
                self._refuse_known_issuer(session, platform.issuer)
            raise  # pragma: no cover - the refusal above raises first

    @staticmethod
    def _refuse_known_issuer(session: Session, issuer: str) -> None:
        """Refuse an issuer that has a registration already (a trailing ``/`` aside)."""
        bare = issuer.rstrip("/")
        known = session.scalars(
            select(Platform)
            .where(Platform.issuer.in_({issuer, bare, bare + "/"}))
            .order_by(Platform.id)
        ).first()
        if known is not None:
            raise RegistrationFailed(
                f"Peerlearn already has a registration for the LMS {known.issuer!r} "
                f"(Peerlearn platform id {known.id}). Dynamic Registration only adds LMSs "
                "Peerlearn does not know; it never changes a registration. A Peerlearn "
                "administrator changes one with the peerlearn command: "
                f"'peerlearn platform show {known.id}' shows it, "
                f"'peerlearn platform update {known.id}' changes its addresses, "
                f"'peerlearn platform add-deployment {known.id} DEPLOYMENT_ID' adds a "
                "deployment and 'peerlearn platform add' adds another client id.",
                code="platform_already_registered",
                status=409,
            )

    def _create(self, platform: PlatformConfiguration, client: RegisteredClient) -> Registered:
        with self._sessions.begin() as session:
            self._refuse_known_issuer(session, platform.issuer)
            row = Platform(
                issuer=platform.issuer,
                client_id=client.client_id,
                active=not self._approval_required,
                name=platform.display_name(),
                auth_login_url=platform.authorization_endpoint,
                auth_token_url=platform.token_endpoint,
                auth_audience=platform.authorization_server,
                jwks_url=platform.jwks_uri,
            )
            session.add(row)
            session.flush()
            deployment_id = client.deployment_id
            if deployment_id:
                row.deployments.append(Deployment(platform_id=row.id, deployment_id=deployment_id))
            session.flush()
            return Registered(
                platform_id=row.id,
                name=row.name,
                issuer=row.issuer,
                client_id=row.client_id,
                deployment_id=deployment_id,
                active=row.active,
            )
