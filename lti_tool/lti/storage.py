"""pylti1p3 storage and cookie adapters on Peerlearn's ephemeral store."""

from __future__ import annotations

from typing import Any

from flask import Request as FlaskHttpRequest
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.cookie import CookieService
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from werkzeug.wrappers import Response

from lti_tool.domain.ports import EphemeralStore


class EphemeralLaunchDataStorage(LaunchDataStorage[Any]):
    """Launch data in the shared store, keyed without any session cookie."""

    _session_cookie_name = ""

    def __init__(self, store: EphemeralStore) -> None:
        super().__init__()
        self._store = store

    def get_session_cookie_name(self) -> str | None:
        # No session cookie: browsers drop third-party cookies in LMS iframes.
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        return self._store.get(self._prepare_key(key))

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        self._store.put(self._prepare_key(key), value, exp or 3600)

    def check_value(self, key: str) -> bool:
        return self._store.get(self._prepare_key(key)) is not None


class PartitionedCookieService(CookieService):
    """Cookies an LMS iframe can keep: ``SameSite=None; Secure; Partitioned`` (CHIPS).

    Partitioned cookies survive browsers that block unpartitioned third-party cookies.
    Browsers treat ``http://localhost`` as secure, so development works too.
    """

    _cookie_prefix = "lti1p3"

    def __init__(self, request: FlaskRequest) -> None:
        self._request = request
        self._to_set: dict[str, tuple[str, int | None]] = {}

    def _name(self, key: str) -> str:
        return f"{self._cookie_prefix}-{key}"

    def get_cookie(self, name: str) -> str | None:
        value = self._request.get_cookie(self._name(name))
        return value if isinstance(value, str) else None

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self._to_set[self._name(name)] = (str(value), exp)

    def update_response(self, response: Response) -> None:
        for key, (value, max_age) in self._to_set.items():
            response.set_cookie(
                key,
                value,
                max_age=max_age,
                path="/",
                secure=True,
                httponly=True,
                samesite="None",
                partitioned=True,
            )


def pylti_request(http_request: FlaskHttpRequest) -> FlaskRequest:
    """A pylti1p3 request over the current Flask request, without Flask's own session."""
    return FlaskRequest(
        cookies=http_request.cookies, session={}, request_is_secure=http_request.is_secure
    )
