"""Every address of the course library, in one table: the blueprint ``library`` (all
under ``/app/library``) and its URL rules. Views live in the modules named by what the
person does; nothing else adds a rule."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from lti_tool.web.forms import RowIdConverter
from lti_tool.web.library import (
    browse,
    discussion,
    files,
    flags,
    history,
    items,
    moderation,
    notifications,
    sharing,
    topic_requests,
)
from lti_tool.web.library.context import template_values

library = Blueprint("library", __name__, url_prefix="/app/library")


@library.record_once
def _add_row_id_converter(state: BlueprintSetupState) -> None:
    """Registered when the blueprint is, before its rules are added."""
    state.app.url_map.converters.setdefault("rowid", RowIdConverter)


library.app_context_processor(template_values)

GET, POST = ("GET",), ("POST",)
View = Callable[..., ResponseReturnValue]

RULES: tuple[tuple[str, View, tuple[str, ...]], ...] = (
    # Browsing the course's library.
    ("/", browse.index, GET),
    ("/following", browse.following, GET),
    ("/feed", browse.feed, GET),
    # Writing and reading items.
    ("/new", items.new_item, GET),
    ("/new", items.create_item, POST),
    ("/mine", items.mine, GET),
    ("/items/<key>", items.item, GET),
    ("/items/<key>/edit", items.edit_item, GET),
    ("/items/<key>/edit", items.save_item, POST),
    ("/items/<key>/publish", items.publish_item, POST),
    ("/items/<key>/delete", items.delete_item, POST),
    # An item's files.
    ("/items/<key>/files", files.upload_files, POST),
    ("/items/<key>/files/<int:attachment_id>", files.download, GET),
    ("/items/<key>/files/<int:attachment_id>/remove", files.remove_file, POST),
    # An item's history.
    ("/items/<key>/history", history.history, GET),
    ("/items/<key>/history/<int:number>", history.history_version, GET),
    ("/items/<key>/history/<int:number>/restore", history.restore_version, POST),
    # Discussion: comments, votes, follows.
    ("/items/<key>/discussion", discussion.discussion, GET),
    ("/items/<key>/comments", discussion.add_comment, POST),
    ("/comments/<rowid:comment_id>/edit", discussion.edit_comment, POST),
    ("/comments/<rowid:comment_id>/delete", discussion.delete_comment, POST),
    ("/items/<key>/helpful", discussion.helpful, POST),
    ("/items/<key>/rating", discussion.rate, POST),
    ("/follows", discussion.follow, POST),
    # Notifications.
    ("/notifications", notifications.notifications, GET),
    ("/notifications/unread.json", notifications.unread, GET),
    ("/notifications/<rowid:notification_id>/read", notifications.read_notification, POST),
    ("/notifications/read-all", notifications.read_all, POST),
    # Topic requests.
    ("/requests", topic_requests.requests, GET),
    ("/requests", topic_requests.propose, POST),
    ("/requests/<rowid:request_id>/vote", topic_requests.upvote, POST),
    ("/requests/<rowid:request_id>/volunteer", topic_requests.volunteer, POST),
    ("/requests/<rowid:request_id>/answer", topic_requests.answer, POST),
    ("/requests/<rowid:request_id>/hide", topic_requests.hide, POST),
    ("/requests/<rowid:request_id>/restore", topic_requests.restore, POST),
    # Flags (anyone who sees the item or the comment).
    ("/items/<key>/flag", flags.flag_item_form, GET),
    ("/items/<key>/flag", flags.flag_item, POST),
    ("/comments/<int:comment_id>/flag", flags.flag_comment_form, GET),
    ("/comments/<int:comment_id>/flag", flags.flag_comment, POST),
    # Moderation (the course's staff).
    ("/moderation", moderation.queue, GET),
    ("/moderation/items/<key>", moderation.review_item, GET),
    ("/moderation/items/<key>/decision", moderation.decide_item, POST),
    ("/moderation/comments/<int:comment_id>/decision", moderation.decide_comment, POST),
    ("/moderation/policy", moderation.policy, GET),
    ("/moderation/policy", moderation.save_policy, POST),
    # Sharing to other courses (the item's course's staff).
    ("/items/<key>/share", sharing.share_page, GET),
    ("/items/<key>/share", sharing.share, POST),
    ("/items/<key>/unshare", sharing.unshare, POST),
)
# Each endpoint is its view's name: ``library.item``, ``library.share`` and so on.
for rule, view, methods in RULES:
    library.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=methods)
