"""Topic requests of the library: propose, upvote, volunteer, link the answering item;
staff see the demand ranked (hidden requests too) and hide or restore."""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.library import discussion as acts
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.library.context import render, visit
from lti_tool.web.library.forms import AnswerForm, ProposalForm


def _back(token: str, request_id: int | None = None) -> ResponseReturnValue:
    address = url_for("library.requests", ls=token)
    return redirect(address + (f"#request-{request_id}" if request_id else ""), code=303)


def requests() -> str:
    """The board: the course's requests by demand, and the items that may answer one."""
    current = visit()
    shown = acts.request_board(services().engine, current.viewer)
    return render("library/requests.html", current, entries=shown.entries, linkable=shown.linkable)


def propose() -> ResponseReturnValue:
    current = visit()
    form = load(ProposalForm())
    request_id = acts.propose(
        services().engine, current.viewer, title=form["title"], description=form["description"]
    )
    return _back(current.token, request_id)


def upvote(request_id: int) -> ResponseReturnValue:
    current = visit()
    acts.upvote(services().engine, current.viewer, request_id)
    return _back(current.token, request_id)


def volunteer(request_id: int) -> ResponseReturnValue:
    current = visit()
    acts.volunteer(services().engine, current.viewer, request_id)
    return _back(current.token, request_id)


def answer(request_id: int) -> ResponseReturnValue:
    """Link the answering item, named by its key (or its address, pasted whole)."""
    current = visit()
    key = load(AnswerForm())["key"]
    acts.answer(services().engine, current.viewer, request_id, key)
    return _back(current.token, request_id)


def hide(request_id: int) -> ResponseReturnValue:
    current = visit()
    acts.hide_request(services().engine, current.viewer, request_id)
    return _back(current.token, request_id)


def restore(request_id: int) -> ResponseReturnValue:
    current = visit()
    acts.restore_request(services().engine, current.viewer, request_id)
    return _back(current.token, request_id)
