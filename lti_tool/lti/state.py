"""The OIDC ``state``: a signed, short-lived token instead of a server-side record.

It names the issuer, client id and nonce of the login that issued it, so the launch can
check the id_token against them without a database round trip. It is bound to the
browser by a cookie of the same name or, when the platform offers LTI Platform Storage,
by a copy kept in the platform's window; and made single-use by the nonce ledger: a
launch's nonce is consumed once, atomically, whatever state carries it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lti_tool.domain.errors import LaunchRefused

STATE_TTL_SECONDS = 600
SALT = "peerlearn.oidc-state.v1"
# The state travels in the URL of the platform's auth endpoint, beside lti_message_hint;
# login parameters beyond this size are not copied into it (no "new window" button then).
MAX_RELAUNCH_CHARS = 1200
RELAUNCH_PARAMS = ("login_hint", "lti_message_hint", "target_link_uri", "lti_deployment_id")


@dataclass(frozen=True)
class LoginRecord:
    """What the launch must match, and how to start the login again elsewhere.

    ``storage_target`` is the login's ``lti_storage_target`` (the frame holding LTI
    Platform Storage): when set, a launch whose cookie did not come back may prove the
    state from there instead. ``relaunch`` holds the login parameters besides ``iss`` and
    ``client_id`` (those above), for the "open in a new window" offer.
    """

    issuer: str
    client_id: str
    nonce: str
    storage_target: str | None = None
    relaunch: tuple[tuple[str, str], ...] = field(default=())

    @property
    def uses_platform_storage(self) -> bool:
        return self.storage_target is not None

    def login_params(self) -> dict[str, str] | None:
        """The parameters of a login request starting this login again, or None if unknown."""
        if not self.relaunch:
            return None
        return {"iss": self.issuer, "client_id": self.client_id, **dict(self.relaunch)}


def relaunch_params(get: dict[str, str | None]) -> tuple[tuple[str, str], ...]:
    """The login parameters worth keeping in the state, or none when they are too long."""
    kept = tuple((name, value) for name in RELAUNCH_PARAMS if (value := get.get(name)))
    if sum(len(name) + len(value) for name, value in kept) > MAX_RELAUNCH_CHARS:
        return ()
    return kept


def storage_key(state: str) -> str:
    """A short name for ``state`` in platform storage (keys need not be the value)."""
    return hashlib.sha256(state.encode()).hexdigest()[:24]


class StateCodec:
    def __init__(self, secret_key: str, *, ttl_seconds: int = STATE_TTL_SECONDS) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self.ttl_seconds = ttl_seconds

    def issue(self, record: LoginRecord) -> str:
        body: list[object] = [record.issuer, record.client_id, record.nonce]
        if record.storage_target is not None or record.relaunch:
            body += [record.storage_target, dict(record.relaunch)]
        return "state-" + self._serializer.dumps(body)

    def read(self, state: str) -> LoginRecord:
        try:
            body = self._serializer.loads(state.removeprefix("state-"), max_age=self.ttl_seconds)
            issuer, client_id, nonce, *rest = body
            target, relaunch = rest if rest else (None, {})
            record = LoginRecord(
                issuer=str(issuer),
                client_id=str(client_id),
                nonce=str(nonce),
                storage_target=None if target is None else str(target),
                relaunch=tuple((str(k), str(v)) for k, v in dict(relaunch).items()),
            )
        except SignatureExpired as error:
            raise LaunchRefused(
                "This launch took too long; it has expired.", code="state_expired"
            ) from error
        except (BadSignature, ValueError, TypeError) as error:
            raise LaunchRefused(
                "This launch was not started by Peerlearn.", code="state_invalid"
            ) from error
        return record
