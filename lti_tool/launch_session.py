"""The launch session: a short-lived signed token instead of a cookie.

Browsers block third-party cookies in LMS iframes, so after a launch Peerlearn hands the
page a token that it carries in links (``?ls=``), forms (a hidden ``ls`` field) and
``fetch`` calls (the ``X-Peerlearn-Session`` header). The token is bound to one user, one
course and one placement. Since the browser never attaches it on its own, a forged
cross-site request has no token: this also defeats CSRF.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from lti_tool.domain.errors import SessionExpired

PARAM = "ls"
HEADER = "X-Peerlearn-Session"
SALT = "peerlearn.launch-session.v1"


@dataclass(frozen=True)
class LaunchSession:
    user_id: int
    platform_id: int
    context_id: int | None
    resource_link_id: int | None
    course_role: str
    launch_id: str
    issued_at: int
    is_admin: bool = False

    @property
    def is_staff(self) -> bool:
        return self.course_role == "staff"


class LaunchSessions:
    def __init__(self, secret_key: str, *, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        self.max_age_seconds = max_age_seconds

    def issue(self, session: LaunchSession) -> str:
        return self._serializer.dumps(asdict(session))

    def read(self, token: str) -> LaunchSession:
        try:
            data = self._serializer.loads(token, max_age=self.max_age_seconds)
        except SignatureExpired as error:
            raise SessionExpired("The launch session has expired.") from error
        except BadSignature as error:
            raise SessionExpired(
                "The launch session is not valid.", code="session_invalid"
            ) from error
        try:
            return LaunchSession(**data)
        except TypeError as error:
            raise SessionExpired(
                "The launch session is not valid.", code="session_invalid"
            ) from error

    def expires_at(self, session: LaunchSession) -> int:
        return session.issued_at + self.max_age_seconds

    def from_request(self, request: Request) -> LaunchSession:
        token = request.headers.get(HEADER) or request.form.get(PARAM) or request.args.get(PARAM)
        if not token:
            raise SessionExpired(
                "This page needs a launch session and none was sent.", code="session_missing"
            )
        return self.read(token)
