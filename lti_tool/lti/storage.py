"""pylti1p3 adapters: the cookie service and the request."""

from __future__ import annotations

from flask import Request as FlaskHttpRequest
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.cookie import CookieService
from werkzeug.wrappers import Response


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


class PeerlearnRequest(FlaskRequest):
    """pylti1p3's Flask request, plus the two headers that tell who sent a form post."""

    def __init__(self, http_request: FlaskHttpRequest) -> None:
        super().__init__(
            cookies=http_request.cookies, session={}, request_is_secure=http_request.is_secure
        )
        self.origin = http_request.headers.get("Origin")
        self.fetch_site = http_request.headers.get("Sec-Fetch-Site")


def pylti_request(http_request: FlaskHttpRequest) -> PeerlearnRequest:
    """A pylti1p3 request over the current Flask request, without Flask's own session."""
    return PeerlearnRequest(http_request)
