"""Social learning pages of the course library: comments and replies, "this helped me"
and ratings, follows, the course feed and notifications (topic requests add their routes
in ``library_requests_views``).

Every route reads the launch session, acts only in its course, and treats items the
course may not see as not found. Forms carry the session token (``ls``), which is also
the CSRF defence.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from werkzeug.routing import IntegerConverter, Map

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.library.permissions import not_found
from lti_tool.domain.library.social import check_rating
from lti_tool.library import access, comments, feed, follows, notifications, votes
from lti_tool.library.access import CourseViewer
from lti_tool.web.context import current_launch, services
from lti_tool.web.library_views import recorder

library_social = Blueprint("library_social", __name__, url_prefix="/app/library")


def open_library() -> tuple[CourseViewer, str]:
    """The launched person in their course, and the session token for links and forms."""
    launch, token = current_launch()
    return CourseViewer(launch.user_id, access.course_of(launch), launch.is_staff), token


def item_page(key: str, token: str, anchor: str = "") -> str:
    """The item's page, where its votes, follows and discussion live."""
    return url_for("library.item", key=key, ls=token) + (f"#{anchor}" if anchor else "")


# Row ids are 32-bit on PostgreSQL: a larger number is no row, not a database error.
MAX_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<rowid:name>``: a positive 32-bit id; anything else matches no route (404)."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


ROW_ID = "rowid"


@library_social.record_once
def _add_row_id_converter(state: BlueprintSetupState) -> None:
    """Registered when the blueprint is, before its rules are added."""
    state.app.url_map.converters.setdefault(ROW_ID, RowIdConverter)


def _int(name: str) -> int | None:
    raw = request.values.get(name, "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number.", code="bad_number") from None
    if not 0 < value <= MAX_ID:
        raise BadRequest(f"{name} is out of range.", code="bad_number")
    return value


def render_library(template: str, viewer: CourseViewer, token: str, **values: object) -> str:
    return render_template(template, token=token, is_staff=viewer.is_staff, **values)


@library_social.get("/items/<key>/discussion")
def discussion(key: str) -> ResponseReturnValue:
    """Old address of an item's discussion: it lives on the item page now."""
    launch, token = current_launch()
    with services().engine.connect() as connection:
        access.open_item(connection, launch, key)
    return redirect(item_page(key, token, "comments"), code=303)


@library_social.app_context_processor
def _unread_notifications() -> dict[str, object]:
    """``unread_notifications()`` for the library's navigation: the launched person's
    unread count in their course, counted when the layout asks (one indexed count)."""

    def unread_notifications() -> int:
        viewer, _token = open_library()
        with services().engine.connect() as connection:
            return notifications.unread_count(
                connection, user_id=viewer.user_id, context_id=viewer.context_id
            )

    return {"unread_notifications": unread_notifications}


@library_social.post("/items/<key>/comments")
def add_comment(key: str) -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        comment_id = comments.add_comment(
            connection,
            viewer,
            item_key=key,
            markdown=request.form.get("body", ""),
            reply_to=_int("reply_to"),
            recorder=recorder(),
        )
    return redirect(item_page(key, token, f"comment-{comment_id}"), code=303)


@library_social.post(f"/comments/<{ROW_ID}:comment_id>/edit")
def edit_comment(comment_id: int) -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        key = comments.edit_comment(
            connection, viewer, comment_id=comment_id, markdown=request.form.get("body", "")
        )
    return redirect(item_page(key, token, f"comment-{comment_id}"), code=303)


@library_social.post(f"/comments/<{ROW_ID}:comment_id>/delete")
def delete_comment(comment_id: int) -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        key = comments.delete_comment(connection, viewer, comment_id=comment_id)
    return redirect(item_page(key, token, "comments"), code=303)


@library_social.post("/items/<key>/helpful")
def helpful(key: str) -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        votes.toggle_helpful(connection, viewer, item_key=key, recorder=recorder())
    return redirect(item_page(key, token, "vote"), code=303)


@library_social.post("/items/<key>/rating")
def rate(key: str) -> ResponseReturnValue:
    viewer, token = open_library()
    rating = check_rating(request.form.get("rating", ""))
    with services().engine.begin() as connection:
        votes.rate(connection, viewer, item_key=key, rating=rating, recorder=recorder())
    return redirect(item_page(key, token, "vote"), code=303)


@library_social.post("/follows")
def follow() -> ResponseReturnValue:
    """Follow or unfollow (``action``) a topic or an author (``kind``, ``target``); back
    to the item (``item``) the button was on, or to the feed."""
    viewer, token = open_library()
    kind, target = request.form.get("kind", ""), _int("target")
    if target is None:
        raise BadRequest("Say what to follow.", code="follow_target")
    with services().engine.begin() as connection:
        if request.form.get("action") == "unfollow":
            follows.unfollow(connection, viewer, kind=kind, target_id=target)
        else:
            follows.follow(connection, viewer, kind=kind, target_id=target)
    back = request.form.get("item", "")
    if back:
        return redirect(item_page(back, token, "vote"), code=303)
    return redirect(url_for("library_social.feed", ls=token), code=303)


@library_social.get("/feed", endpoint="feed")
def feed_page() -> str:
    viewer, token = open_library()
    with services().engine.connect() as connection:
        page = feed.feed_page(connection, context_id=viewer.context_id, before=_int("before"))
    return render_library("library/feed.html", viewer, token, page=page)


@library_social.get("/notifications", endpoint="notifications")
def notifications_page() -> str:
    viewer, token = open_library()
    with services().engine.connect() as connection:
        inbox = notifications.inbox(
            connection,
            user_id=viewer.user_id,
            context_id=viewer.context_id,
            before=_int("before"),
        )
    return render_library("library/notifications.html", viewer, token, inbox=inbox)


@library_social.get("/notifications/unread.json")
def unread() -> Response:
    """The unread count for the library's navigation (cheap: one indexed count)."""
    viewer, _token = open_library()
    with services().engine.connect() as connection:
        count = notifications.unread_count(
            connection, user_id=viewer.user_id, context_id=viewer.context_id
        )
    return jsonify({"unread": count})


@library_social.post(f"/notifications/<{ROW_ID}:notification_id>/read")
def read_notification(notification_id: int) -> ResponseReturnValue:
    """Mark one read; with ``open`` set to an item key, go on to that item."""
    viewer, token = open_library()
    with services().engine.begin() as connection:
        mine = notifications.mark_read(
            connection,
            user_id=viewer.user_id,
            context_id=viewer.context_id,
            notification_id=notification_id,
        )
    if not mine:
        raise not_found("There is no such notification for you.")
    target = request.form.get("open", "")
    if target:
        return redirect(item_page(target, token), code=303)
    return redirect(url_for("library_social.notifications", ls=token), code=303)


@library_social.post("/notifications/read-all")
def read_all() -> ResponseReturnValue:
    viewer, token = open_library()
    with services().engine.begin() as connection:
        notifications.mark_all_read(
            connection, user_id=viewer.user_id, context_id=viewer.context_id
        )
    return redirect(url_for("library_social.notifications", ls=token), code=303)
