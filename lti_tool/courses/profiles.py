"""A launched person's own profile: the name Peerlearn shows for them."""

from __future__ import annotations

from sqlalchemy import Engine, update

from lti_tool.domain.errors import BadRequest, SessionExpired
from lti_tool.domain.text import one_line
from lti_tool.persistence.models import User

MAX_DISPLAY_NAME = 120


def set_display_name(engine: Engine, *, user_id: int, chosen: str) -> None:
    """Show ``chosen`` (one line by the text rule: no control characters, spaces
    collapsed) instead of the LMS's name; blank: the LMS's."""
    name = one_line(chosen)
    if len(name) > MAX_DISPLAY_NAME:
        raise BadRequest(
            f"A display name can have at most {MAX_DISPLAY_NAME} characters.",
            code="display_name_too_long",
        )
    with engine.begin() as connection:
        changed = connection.execute(
            update(User).where(User.id == user_id).values(display_name=name or None)
        )
        if changed.rowcount == 0:
            raise SessionExpired("Your account is no longer known here.", code="session_invalid")
