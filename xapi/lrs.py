"""A Learning Record Store over HTTP: explicit timeouts, the xAPI version header, and
every failure as a value (never an exception) so the deliverer can decide what to do."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests

XAPI_VERSION = "1.0.3"
DEFAULT_TIMEOUT = (3.05, 10.0)  # connect, read
MAX_REASON = 200  # of an LRS's answer, kept as the reason of a failure (cleaned)


@dataclass(frozen=True)
class LrsReply:
    status: int  # 0 when the request never got an answer (connection, timeout)
    text: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status in {200, 204}


class LrsClient:
    def __init__(
        self,
        endpoint: str,
        username: str,
        password: str,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        http: requests.Session | None = None,
    ) -> None:
        self.statements_url = endpoint.rstrip("/") + "/statements"
        self._timeout = timeout
        self._http = http or requests.Session()
        self._http.auth = (username, password)
        self._http.headers.update(
            {"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"}
        )

    def close(self) -> None:
        self._http.close()

    def post(self, statements: list[dict[str, Any]]) -> LrsReply:
        try:
            response = self._http.post(
                self.statements_url,
                data=json.dumps(statements),
                timeout=self._timeout,
                allow_redirects=False,  # our credentials never follow a redirect
            )
        except requests.RequestException as error:
            return LrsReply(0, error.__class__.__name__)
        return LrsReply(
            response.status_code,
            _short(response.text),
            _retry_after(response.headers.get("Retry-After")),
        )

    def get(self, statement_id: str) -> tuple[LrsReply, dict[str, Any] | None]:
        try:
            response = self._http.get(
                self.statements_url,
                params={"statementId": statement_id},
                timeout=self._timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            return LrsReply(0, error.__class__.__name__), None
        reply = LrsReply(
            response.status_code,
            _short(response.text),
            _retry_after(response.headers.get("Retry-After")),
        )
        if response.status_code != 200:
            return reply, None
        try:
            found = response.json()
        except ValueError:
            return reply, None
        # xAPI answers with the statement itself; some LRSs (Ralph) wrap it in a result.
        if isinstance(found, dict) and isinstance(found.get("statements"), list):
            found = found["statements"][0] if found["statements"] else None
        return reply, found if isinstance(found, dict) else None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds form; dates are ignored)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _short(text: str) -> str:
    """An LRS's answer as a failure reason: printable ASCII on one line, at most
    ``MAX_REASON`` characters (it ends up in logs and on the administrator's pages)."""
    cleaned = " ".join("".join(c if 0x20 <= ord(c) <= 0x7E else " " for c in text).split())
    return cleaned if len(cleaned) <= MAX_REASON else cleaned[: MAX_REASON - 3] + "..."
