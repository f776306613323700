"""The course library's authoring pages: new item, edit, item page, history, my items.

Views stay thin: read the launch session, load the item through
:mod:`lti_tool.library.access` (which applies the permission rules), call one operation
and render. Forms carry the session token (``ls``); every page extends
``library/layout.html``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from config.settings import SettingsError
from lti_tool.domain.library.content import RULES, ContentInvalid, ItemForm, ItemKind, check_item
from lti_tool.domain.library.permissions import Viewer
from lti_tool.domain.library.placement import COURSE_ITEMS, COURSE_TOPICS, KIND_KEY
from lti_tool.domain.library.video import VideoProviders, VideoRef, configured_providers
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library import (
    access,
    attachments,
    comments,
    items,
    moderation,
    reading,
    topics,
    votes,
)
from lti_tool.library.people import names_of
from lti_tool.web.context import current_launch, services
from lti_tool.web.kind_choices import register_choice_provider
from lti_tool.web.kind_pages import KindPages, register_kind_pages
from lti_tool.web.library_placement import item_choices, launch_page, topic_choices

library = Blueprint("library", __name__, url_prefix="/app/library")
EXTENSION = "peerlearn_library_video"


def register_library(app: Flask) -> None:
    """The blueprint, the "library" kind's pages, and the video allow-list (a mistake in
    ``PEERLEARN_VIDEO_PROVIDERS`` stops the app from starting, saying which)."""
    try:
        app.extensions[EXTENSION] = configured_providers(
            app.extensions["peerlearn"].settings.video_providers
        )
    except ValueError as error:
        raise SettingsError(f"PEERLEARN_VIDEO_PROVIDERS: {error}") from None
    from lti_tool.web import (  # noqa: F401, PLC0415 - they add their routes
        library_files,
        library_history,
    )

    app.register_blueprint(library)
    register_kind_pages(app, KIND_KEY, KindPages(launch=launch_page))
    register_choice_provider(app, COURSE_TOPICS, topic_choices)
    register_choice_provider(app, COURSE_ITEMS, item_choices)


def video_providers() -> VideoProviders:
    found: VideoProviders = current_app.extensions[EXTENSION]
    return found


def recorder() -> Recorder:
    svc = services()
    return Recorder(
        routes=svc.xapi_routes, base_url=svc.settings.base_url, strict=svc.settings.is_development
    )


def now() -> datetime:
    return datetime.now(UTC)


def page(template: str, *, token: str, launch: Any, status: int = 200, **values: Any) -> Any:
    return render_template(template, token=token, is_staff=launch.is_staff, **values), status


def open_item(key: str, need: str = "view") -> tuple[Any, str, access.ItemAccess]:
    launch, token = current_launch()
    with services().engine.connect() as connection:
        found = access.open_item(connection, launch, key)
    access.require(found, need)
    return launch, token, found


def _form() -> ItemForm:
    fields = ("kind", "title", "summary", "body", "link_url", "link_title", "link_description")
    values = {name: request.form.get(name, "") for name in fields}
    return ItemForm(
        **values,
        video_url=request.form.get("video_url", ""),
        topics=request.form.get("topics", ""),
    )


def _form_values(item: Any, topic_names: list[str]) -> dict[str, str]:
    video = ""
    if item.video_provider:
        video = video_providers().page_url(VideoRef(item.video_provider, item.video_id)) or ""
    return {
        "kind": item.kind,
        "title": item.title,
        "summary": item.summary,
        "body": item.body_markdown,
        "link_url": item.link_url or "",
        "link_title": item.link_title or "",
        "link_description": item.link_description or "",
        "video_url": video,
        "topics": ", ".join(topic_names),
    }


def _kind_or_default(raw: str | None) -> ItemKind:
    try:
        return ItemKind(raw or "article")
    except ValueError:
        return ItemKind.ARTICLE


@library.get("/new")
def new_item() -> ResponseReturnValue:
    launch, token = current_launch()
    access.course_of(launch)
    kind = _kind_or_default(request.args.get("kind"))
    return page(
        "library/edit.html",
        token=token,
        launch=launch,
        kind=kind,
        rules=RULES,
        values={"kind": kind.value},
        errors={},
        item=None,
        providers=video_providers(),
    )


@library.post("/new")
def create_item() -> ResponseReturnValue:
    launch, token = current_launch()
    context_id = access.course_of(launch)
    form = _form()
    try:
        content = check_item(form, providers=video_providers())
    except ContentInvalid as invalid:
        kind = _kind_or_default(form.kind)
        return page(
            "library/edit.html",
            token=token,
            launch=launch,
            status=422,
            kind=kind,
            rules=RULES,
            values=form.__dict__,
            errors=invalid.errors,
            item=None,
            providers=video_providers(),
        )
    with services().engine.begin() as connection:
        created = items.create_draft(
            connection,
            context_id=context_id,
            author_id=launch.user_id,
            content=content,
            now=now(),
            recorder=recorder(),
        )
    return redirect(url_for("library.edit_item", key=created.key, ls=token, saved=1), code=303)


@library.get("/items/<key>")
def item(key: str) -> ResponseReturnValue:
    launch, token, found = open_item(key)
    item = found.item
    svc = services()
    with svc.engine.begin() as connection:
        if item.state == "published" and item.author_id != launch.user_id:
            reading.record_view(
                connection,
                item_id=item.id,
                viewer_id=launch.user_id,
                context_id=found.context_id,
                now=now(),
                recorder=recorder(),
            )
        item_topics = topics.topics_of_item(connection, item.id)
        files = attachments.attachments_of(connection, item.id)
        author = names_of(connection, {item.author_id}).get(item.author_id or 0)
        panels: dict[str, Any] = {}
        if found.allowed.interact:
            # Hidden comments are read by the staff who moderate the item (its own
            # course's), not by staff of a course it was shared to.
            reader = Viewer(launch.user_id, is_staff=found.allowed.moderate)
            panels["comments"] = comments.thread_for(connection, item.id, reader)
            panels["vote"] = votes.vote_panel(
                connection, item.id, launch.user_id, context_id=found.context_id
            )
        own = item.author_id is not None and item.author_id == launch.user_id
        if own and item.state in {"hidden", "pending"}:
            panels["moderation_notice"] = moderation.author_notice(
                connection, item_id=item.id, author_id=launch.user_id
            )
    providers = video_providers()
    embed = (
        providers.embed_url(VideoRef(item.video_provider, item.video_id))
        if item.video_provider
        else None
    )
    body, status = page(
        "library/item.html",
        token=token,
        launch=launch,
        item=item,
        allowed=found.allowed,
        topics=item_topics,
        files=files,
        author_name=author or "Former participant",
        embed_url=embed,
        rules=RULES,
        own=own,
        **panels,
    )
    response = current_app.make_response((body, status))
    response.headers["Content-Security-Policy"] = _item_csp(embed)
    return response


def _item_csp(embed_url: str | None) -> str:
    """The app's policy, plus frames from the one allow-listed provider whose video the
    item embeds (none for any other item)."""
    from lti_tool.web import CSP  # noqa: PLC0415 - the app's default, defined beside the app

    if embed_url is None:
        return f"{CSP}; frame-src 'none'"
    parts = urlsplit(embed_url)
    return f"{CSP}; frame-src {parts.scheme}://{parts.netloc}"


@library.get("/items/<key>/edit")
def edit_item(key: str) -> ResponseReturnValue:
    launch, token, found = open_item(key, "edit")
    with services().engine.connect() as connection:
        names = [t.name for t in topics.topics_of_item(connection, found.item.id)]
        files = attachments.attachments_of(connection, found.item.id)
    return page(
        "library/edit.html",
        token=token,
        launch=launch,
        kind=ItemKind(found.item.kind),
        rules=RULES,
        values=_form_values(found.item, names),
        errors={},
        item=found.item,
        allowed=found.allowed,
        files=files,
        providers=video_providers(),
        max_file_mb=services().settings.library_max_file_mb,
    )


@library.post("/items/<key>/edit")
def save_item(key: str) -> ResponseReturnValue:
    launch, token, found = open_item(key, "edit")
    form = ItemForm(**{**_form().__dict__, "kind": found.item.kind})
    try:
        edited_from = int(request.form.get("version", ""))
        content = check_item(form, providers=video_providers())
    except ValueError as invalid:
        errors = getattr(invalid, "errors", {"version": "Reload the page and edit again."})
        with services().engine.connect() as connection:
            files = attachments.attachments_of(connection, found.item.id)
        return page(
            "library/edit.html",
            token=token,
            launch=launch,
            status=422,
            kind=ItemKind(found.item.kind),
            rules=RULES,
            # The form goes back with the version it was edited from, so a save after
            # fixing the mistakes still meets anyone else's save in between.
            values={**form.__dict__, "version": request.form.get("version", "")},
            errors=errors,
            item=found.item,
            allowed=found.allowed,
            files=files,
            providers=video_providers(),
            max_file_mb=services().settings.library_max_file_mb,
        )
    with services().engine.begin() as connection:
        number = items.save(
            connection,
            item_id=found.item.id,
            editor_id=launch.user_id,
            content=content,
            edited_from=edited_from,
            now=now(),
            recorder=recorder(),
            editor_is_staff=launch.is_staff,
        )
    return redirect(url_for("library.edit_item", key=key, ls=token, saved=number), code=303)


@library.post("/items/<key>/publish")
def publish_item(key: str) -> ResponseReturnValue:
    launch, token, found = open_item(key, "publish")
    with services().engine.begin() as connection:
        state = items.publish(
            connection, item_id=found.item.id, actor_is_staff=launch.is_staff, now=now()
        )
    return redirect(url_for("library.item", key=key, ls=token, done=state), code=303)


@library.post("/items/<key>/delete")
def delete_item(key: str) -> ResponseReturnValue:
    launch, token, found = open_item(key, "delete")
    with services().engine.begin() as connection:
        items.soft_delete(
            connection,
            item_id=found.item.id,
            actor_id=launch.user_id,
            now=now(),
            recorder=recorder(),
        )
    return redirect(url_for("library.mine", ls=token, deleted=1), code=303)


@library.get("/mine")
def mine() -> ResponseReturnValue:
    launch, token = current_launch()
    context_id = access.course_of(launch)
    with services().engine.connect() as connection:
        rows = reading.items_of_author(connection, context_id=context_id, author_id=launch.user_id)
    groups = {state: [row for row in rows if row.state == state] for state in _STATES}
    return page("library/mine.html", token=token, launch=launch, groups=groups, rules=RULES)


_STATES = ("draft", "pending", "published", "hidden")
