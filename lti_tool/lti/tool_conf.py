"""A pylti1p3 tool configuration served from the database, not a JSON file."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.keys import KeyRing
from lti_tool.persistence.models import Deployment, Platform


class PeerlearnRegistration(Registration):
    """A pylti1p3 registration that remembers which database row it came from."""

    def __init__(self, platform: Platform) -> None:
        self.platform_id = platform.id
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        self.set_key_set_url(platform.jwks_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)


class SqlToolConf(ToolConfAbstract[Any]):
    """Registrations by (issuer, client id): an issuer may have many client ids."""

    def __init__(self, session: Session, key_ring: KeyRing) -> None:
        super().__init__()
        self._session = session
        self._key_ring = key_ring
        # Per instance, never the class-level dict pylti1p3 shares between all configs.
        self.issuers_relation_types = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def platform(self, iss: str, client_id: str | None) -> Platform | None:
        if not iss or not client_id:
            return None
        return self._session.scalars(
            select(Platform).where(Platform.issuer == iss, Platform.client_id == client_id)
        ).one_or_none()

    def platforms_for_issuer(self, iss: str) -> list[Platform]:
        return list(self._session.scalars(select(Platform).where(Platform.issuer == iss)))

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        platforms = self.platforms_for_issuer(iss)
        return self._registration(platforms[0]) if len(platforms) == 1 else None  # type: ignore[return-value]

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        platform = self.platform(iss, client_id)
        return self._registration(platform) if platform else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        platforms = self.platforms_for_issuer(iss)
        if len(platforms) != 1:
            return None
        return self._deployment(platforms[0], deployment_id)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        platform = self.platform(iss, client_id)
        return self._deployment(platform, deployment_id) if platform else None

    def deployment_row(self, platform: Platform, deployment_id: str) -> Deployment | None:
        return self._session.scalars(
            select(Deployment).where(
                Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id
            )
        ).one_or_none()

    def get_jwks(
        self, iss: str | None = None, client_id: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return self._key_ring.jwks()

    def _deployment(self, platform: Platform, deployment_id: str) -> LtiDeployment | None:
        if (
            not isinstance(deployment_id, str)
            or self.deployment_row(platform, deployment_id) is None
        ):
            return None
        return LtiDeployment().set_deployment_id(deployment_id)

    def _registration(self, platform: Platform) -> PeerlearnRegistration:
        return PeerlearnRegistration(platform)
