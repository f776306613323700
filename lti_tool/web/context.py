"""Request-scoped access to services, the launch session and the request's database session."""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from lti_tool.courses.roster import session_revoked
from lti_tool.domain.errors import SessionExpired
from lti_tool.launch_session import PARAM, LaunchSession
from lti_tool.services import Services


def services() -> Services:
    found: Services = current_app.extensions["peerlearn"]
    return found


def db() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = services().sessions()
    session: Session = g.db
    return session


def close_db(_error: BaseException | None = None) -> None:
    session: Session | None = g.pop("db", None)
    if session is not None:
        session.close()


def current_launch() -> tuple[LaunchSession, str]:
    """The request's launch session (header, form field or query) and its token.

    A session of someone a roster sync has since marked Inactive or Deleted in its course,
    or a staff session of someone no longer stored as staff, has ended, however young its
    token (docs/security.md).
    """
    found = services()
    session = found.launch_sessions.from_request(request)
    if session.context_id is not None and session_revoked(
        found.engine,
        user_id=session.user_id,
        context_id=session.context_id,
        as_staff=session.is_staff,
    ):
        raise SessionExpired(
            "The course no longer lists you as an active member in this role.",
            code="session_revoked",
        )
    token = request.headers.get("X-Peerlearn-Session") or request.values.get(PARAM, "")
    return session, token
