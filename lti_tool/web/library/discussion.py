"""Taking part in an item's discussion: comments and replies, "this helped me" and
ratings, and follows of topics and authors.

Every act happens in the person's course and treats items the course may not see as
not found. Forms carry the session token (``ls``), which is also the CSRF defence.
"""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.library import discussion as acts
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.library.context import item_page, open_item, recorder, visit
from lti_tool.web.library.forms import CommentForm, FollowForm, RatingForm, load_numbers


def discussion(key: str) -> ResponseReturnValue:
    """Old address of an item's discussion: it lives on the item page now."""
    current, _found = open_item(key)
    return redirect(item_page(key, current.token, "comments"), code=303)


def add_comment(key: str) -> ResponseReturnValue:
    current = visit()
    form = load_numbers(CommentForm())
    comment_id = acts.comment(
        services().engine,
        current.viewer,
        item_key=key,
        markdown=form["body"],
        reply_to=form["reply_to"],
        recorder=recorder(),
    )
    return redirect(item_page(key, current.token, f"comment-{comment_id}"), code=303)


def edit_comment(comment_id: int) -> ResponseReturnValue:
    current = visit()
    body = load(CommentForm(only=("body",)))["body"]
    key = acts.edit_comment(services().engine, current.viewer, comment_id, body)
    return redirect(item_page(key, current.token, f"comment-{comment_id}"), code=303)


def delete_comment(comment_id: int) -> ResponseReturnValue:
    current = visit()
    key = acts.delete_comment(services().engine, current.viewer, comment_id)
    return redirect(item_page(key, current.token, "comments"), code=303)


def helpful(key: str) -> ResponseReturnValue:
    current = visit()
    acts.toggle_helpful(services().engine, current.viewer, key, recorder())
    return redirect(item_page(key, current.token, "vote"), code=303)


def rate(key: str) -> ResponseReturnValue:
    current = visit()
    rating = load(RatingForm())["rating"]
    acts.rate(services().engine, current.viewer, key, rating, recorder())
    return redirect(item_page(key, current.token, "vote"), code=303)


def follow() -> ResponseReturnValue:
    """Follow or unfollow a topic or an author; back to the item the button was on, or
    to the feed."""
    current = visit()
    form = load_numbers(FollowForm())
    acts.follow(
        services().engine,
        current.viewer,
        kind=form["kind"],
        target_id=form["target"],
        unfollow=form["action"] == "unfollow",
    )
    if form["item"]:
        return redirect(item_page(form["item"], current.token, "vote"), code=303)
    return redirect(url_for("library.feed", ls=current.token), code=303)
