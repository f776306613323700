"""A pylti1p3 tool configuration served from the database, not a JSON file."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti_tool.domain.errors import RegistrationAwaitingApproval
from lti_tool.keys import KeyRing
from lti_tool.lti.registrations import PlatformRegistration, RegistrationDirectory


class PeerlearnRegistration(Registration):
    """A pylti1p3 registration that remembers which registration row it came from."""

    def __init__(self, platform: PlatformRegistration) -> None:
        self.platform_id = platform.id
        self.platform = platform
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        self.set_key_set_url(platform.jwks_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)


class SqlToolConf(ToolConfAbstract[Any]):
    """Registrations by (issuer, client id): an issuer may have many client ids."""

    def __init__(self, directory: RegistrationDirectory, key_ring: KeyRing) -> None:
        super().__init__()
        self._directory = directory
        self._key_ring = key_ring
        # Per instance, never the class-level dict pylti1p3 shares between all configs.
        self.issuers_relation_types = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        """Only an issuer with a single registration can be found without its client id."""
        client_ids = self._directory.client_ids(iss) if iss else []
        if len(client_ids) != 1:
            return None  # type: ignore[return-value]
        return self.find_registration_by_params(iss, client_ids[0])

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        """The registration of (issuer, client id); refuses one awaiting approval."""
        found = self._directory.find(iss, client_id) if iss and client_id else None
        if found is not None and not found.active:
            raise RegistrationAwaitingApproval(
                f"Peerlearn's registration for {iss!r} (client id {client_id!r}) has not "
                f"been approved yet: a Peerlearn administrator runs "
                f"'peerlearn platform approve {found.id}'."
            )
        return PeerlearnRegistration(found) if found else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        client_ids = self._directory.client_ids(iss) if iss else []
        if len(client_ids) != 1:
            return None
        return self.find_deployment_by_params(iss, deployment_id, client_ids[0])

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        if self.deployment_pk(iss, client_id, deployment_id) is None:
            return None
        return LtiDeployment().set_deployment_id(deployment_id)

    def deployment_pk(self, iss: str, client_id: str, deployment_id: str) -> int | None:
        if not iss or not client_id or not isinstance(deployment_id, str):
            return None
        return self._directory.deployment_pk(iss, client_id, deployment_id)

    def get_jwks(
        self, iss: str | None = None, client_id: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return self._key_ring.jwks()
