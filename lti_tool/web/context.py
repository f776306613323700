"""Request-scoped access to services and the one database session of the request."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

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
