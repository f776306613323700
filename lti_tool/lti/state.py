"""The OIDC ``state``: a signed, short-lived token instead of a server-side record.

It names the issuer, client id and nonce of the login that issued it, so the launch can
check the id_token against them without a database round trip. It is bound to the
browser by a cookie of the same name, and made single-use by the nonce ledger: a
launch's nonce is consumed once, atomically, whatever state carries it.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lti_tool.domain.errors import LaunchRefused

STATE_TTL_SECONDS = 600
SALT = "peerlearn.oidc-state.v1"


@dataclass(frozen=True)
class LoginRecord:
    """What the launch must match."""

    issuer: str
    client_id: str
    nonce: str


class StateCodec:
    def __init__(self, secret_key: str, *, ttl_seconds: int = STATE_TTL_SECONDS) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self.ttl_seconds = ttl_seconds

    def issue(self, record: LoginRecord) -> str:
        return "state-" + self._serializer.dumps([record.issuer, record.client_id, record.nonce])

    def read(self, state: str) -> LoginRecord:
        try:
            issuer, client_id, nonce = self._serializer.loads(
                state.removeprefix("state-"), max_age=self.ttl_seconds
            )
        except SignatureExpired as error:
            raise LaunchRefused(
                "This launch took too long; it has expired.", code="state_expired"
            ) from error
        except (BadSignature, ValueError, TypeError) as error:
            raise LaunchRefused(
                "This launch was not started by Peerlearn.", code="state_invalid"
            ) from error
        return LoginRecord(issuer=str(issuer), client_id=str(client_id), nonce=str(nonce))
