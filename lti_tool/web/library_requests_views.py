"""Topic request pages of the library: propose, upvote, volunteer, link the answering
item; staff see the demand ranked (hidden requests too) and hide or restore. The routes
join the ``library_social`` blueprint, which ``register_web`` takes from here."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.library import requests as topic_requests
from lti_tool.web.context import services
from lti_tool.web.library_social_views import (
    ROW_ID,
    library_social,
    open_library,
    render_library,
)

__all__ = ["library_social"]


def _back(token: str, request_id: int | None = None) -> ResponseReturnValue:
    address = url_for("library_social.requests", ls=token)
    return redirect(address + (f"#request-{request_id}" if request_id else ""), code=303)


@library_social.get("/requests", endpoint="requests")
def board() -> str:
    viewer, token = open_library()
    with services().engine.connect() as connection:
        entries = topic_requests.board(connection, viewer)
        linkable = topic_requests.linkable_items(connection, viewer)
    return render_library(
        "library/requests.html",
        viewer,
        token,
        entries=entries,
        linkable=linkable,
    )


@library_social.post("/requests")
def propose() -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        request_id = topic_requests.propose(
            connection,
            viewer,
            title=request.form.get("title", ""),
            description=request.form.get("description", ""),
        )
    return _back(token, request_id)


@library_social.post(f"/requests/<{ROW_ID}:request_id>/vote")
def upvote(request_id: int) -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        topic_requests.upvote(connection, viewer, request_id=request_id)
    return _back(token, request_id)


@library_social.post(f"/requests/<{ROW_ID}:request_id>/volunteer")
def volunteer(request_id: int) -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        topic_requests.volunteer(connection, viewer, request_id=request_id)
    return _back(token, request_id)


@library_social.post(f"/requests/<{ROW_ID}:request_id>/answer")
def answer(request_id: int) -> ResponseReturnValue:
    """Link the answering item, named by its key (or its address, pasted whole)."""
    viewer, token = open_library()
    given = request.form.get("item", "").strip()
    key = given.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    with services().engine.begin() as connection:
        topic_requests.answer(connection, viewer, request_id=request_id, item_key=key)
    return _back(token, request_id)


@library_social.post(f"/requests/<{ROW_ID}:request_id>/hide")
def hide(request_id: int) -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        topic_requests.hide(connection, viewer, request_id=request_id)
    return _back(token, request_id)


@library_social.post(f"/requests/<{ROW_ID}:request_id>/restore")
def restore(request_id: int) -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        topic_requests.restore(connection, viewer, request_id=request_id)
    return _back(token, request_id)
