"""Writing and reading library items: new item, edit, the item page, publish, delete,
and the person's own items.

Each view opens the page's context (:mod:`.context`: the launch, its course, the item as
this viewer may see it), reads the form through :mod:`.forms`, calls one operation of
:mod:`lti_tool.library.authoring` and renders. Forms carry the session token (``ls``);
every page extends ``library/layout.html``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.library.content import RULES, ContentInvalid, ItemForm, ItemKind
from lti_tool.domain.library.video import VideoRef
from lti_tool.library import authoring
from lti_tool.library.access import ItemAccess
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.library.context import (
    Visit,
    now,
    open_item,
    recorder,
    render,
    video_providers,
    visit,
)
from lti_tool.web.library.forms import NewItemQuery, VersionForm, item_form
from lti_tool.web.security import CSP


def _edit_page(
    current: Visit,
    *,
    kind: ItemKind,
    values: dict[str, Any],
    errors: dict[str, str],
    found: ItemAccess | None = None,
    files: list[Any] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    extra: dict[str, Any] = {}
    if found is not None:
        extra = {
            "allowed": found.allowed,
            "files": files,
            "max_file_mb": services().settings.library_max_file_mb,
        }
    body = render(
        "library/edit.html",
        current,
        kind=kind,
        rules=RULES,
        values=values,
        errors=errors,
        item=found.item if found is not None else None,
        providers=video_providers(),
        **extra,
    )
    return body, status


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


def new_item() -> ResponseReturnValue:
    current = visit()
    kind = load(NewItemQuery(), request.args)["kind"]
    return _edit_page(current, kind=kind, values={"kind": kind.value}, errors={})


def create_item() -> ResponseReturnValue:
    current = visit()
    form = item_form()
    try:
        created = authoring.create_item(
            services().engine,
            current.viewer,
            form,
            providers=video_providers(),
            now=now(),
            recorder=recorder(),
        )
    except ContentInvalid as invalid:
        kind = load(NewItemQuery(), {"kind": form.kind})["kind"]
        return _edit_page(
            current, kind=kind, values=form.__dict__, errors=invalid.errors, status=422
        )
    return redirect(
        url_for("library.edit_item", key=created.key, ls=current.token, saved=1), code=303
    )


def item(key: str) -> ResponseReturnValue:
    current, found = open_item(key)
    shown = authoring.read_item(
        services().engine, found, current.launch, now=now(), recorder=recorder()
    )
    item = found.item
    embed = (
        video_providers().embed_url(VideoRef(item.video_provider, item.video_id))
        if item.video_provider
        else None
    )
    body = render(
        "library/item.html",
        current,
        item=item,
        allowed=found.allowed,
        topics=shown.topics,
        files=shown.files,
        author_name=shown.author_name,
        embed_url=embed,
        rules=RULES,
        own=shown.own,
        **shown.panels,
    )
    response = current_app.make_response((body, 200))
    response.headers["Content-Security-Policy"] = _item_csp(embed)
    return response


def _item_csp(embed_url: str | None) -> str:
    """The app's policy, plus frames from the one allow-listed provider whose video the
    item embeds (none for any other item)."""
    if embed_url is None:
        return f"{CSP}; frame-src 'none'"
    parts = urlsplit(embed_url)
    return f"{CSP}; frame-src {parts.scheme}://{parts.netloc}"


def edit_item(key: str) -> ResponseReturnValue:
    current, found = open_item(key, "edit")
    shown = authoring.edit_page(services().engine, found)
    return _edit_page(
        current,
        kind=ItemKind(found.item.kind),
        values=_form_values(found.item, shown.topic_names),
        errors={},
        found=found,
        files=shown.files,
    )


def save_item(key: str) -> ResponseReturnValue:
    current, found = open_item(key, "edit")
    form = ItemForm(**{**item_form().__dict__, "kind": found.item.kind})
    version = load(VersionForm())
    try:
        number = authoring.save_item(
            services().engine,
            found,
            current.launch,
            form,
            edited_from=version["edited_from"],
            providers=video_providers(),
            now=now(),
            recorder=recorder(),
        )
    except ContentInvalid as invalid:
        return _edit_page(
            current,
            kind=ItemKind(found.item.kind),
            # The form goes back with the version it was edited from, so a save after
            # fixing the mistakes still meets anyone else's save in between.
            values={**form.__dict__, "version": version["version"]},
            errors=invalid.errors,
            found=found,
            files=authoring.files_of(services().engine, found),
            status=422,
        )
    return redirect(url_for("library.edit_item", key=key, ls=current.token, saved=number), code=303)


def publish_item(key: str) -> ResponseReturnValue:
    current, found = open_item(key, "publish")
    state = authoring.publish_item(services().engine, found, current.launch, now=now())
    return redirect(url_for("library.item", key=key, ls=current.token, done=state), code=303)


def delete_item(key: str) -> ResponseReturnValue:
    current, found = open_item(key, "delete")
    authoring.delete_item(services().engine, found, current.launch, now=now(), recorder=recorder())
    return redirect(url_for("library.mine", ls=current.token, deleted=1), code=303)


def mine() -> ResponseReturnValue:
    current = visit()
    groups = authoring.my_items(services().engine, current.viewer)
    return render("library/mine.html", current, groups=groups, rules=RULES)
