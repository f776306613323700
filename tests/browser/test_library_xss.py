"""The whole stored-XSS corpus in the library's fields, in real headless Chromium inside
the demo LMS's cross-site iframe: no dialog opens and no payload runs (every payload
calls alert() or sets window.__xss). The fields are filled through the served app as
tests/functional/test_library_xss.py fills them (items with title, summary, body, link
and topics; comments, replies and flags; topic requests; file names) and by rows for a
few pages that hold the whole corpus at once (one body, pending items, flags); then every
page that lists them is opened: index, search, following, feed, notifications, requests,
discussion, my items, moderation queue and review, item page and history, share page.
The pages are checked twice: as served (with the app's Content-Security-Policy) and with
that header stripped, so the escaping and sanitising alone are shown to hold; a control
then proves that a payload which does get in would be noticed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import insert, select

from lti_tool import create_app
from lti_tool.demo.web import register_platform
from lti_tool.domain.library.moderation import FlagReason, Reason
from lti_tool.persistence.library_models import LibraryFlag
from lti_tool.persistence.models import User
from tests.browser.test_demo_launch import tool_frame
from tests.conftest import make_settings
from tests.factories import library as rows
from tests.factories.library_visits import Library
from tests.functional.test_library_xss import (
    AUTHOR,
    OTHER,
    PEER,
    TEACHER,
    submit_discussion,
    submit_files,
    submit_items,
    submit_requests,
)
from tests.support.browser import Browser
from tests.support.keys import install_tool_keys
from tests.support.servers import free_port, serving
from tests.support.xss_corpus import CORPUS

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_app(tmp_path: Path, database_url: str) -> Iterator[tuple[int, Flask]]:
    port = free_port()
    settings = make_settings(
        tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{port}"
    )
    install_tool_keys(settings.keys_dir)
    app = create_app(settings)
    register_platform(app.extensions["peerlearn"].sessions, app.extensions["peerlearn_demo"]())
    with serving(app, "127.0.0.1", port):
        yield port, app
    app.extensions["peerlearn"].close()


def launch(page: Any, port: int, person: str) -> tuple[Any, str]:
    page.goto(f"http://localhost:{port}/demo/")
    page.click(f"a[data-person='{person}']")
    frame = tool_frame(page, f"127.0.0.1:{port}/app?ls=")
    return frame, parse_qs(urlsplit(frame.url).query)["ls"][0]


def _storable(text: str) -> str:
    """Rows written straight to the database skip the app, which drops NUL (PostgreSQL
    refuses it in text)."""
    return text.replace("\x00", "")


def fill_library(app: Flask, token: str) -> str:
    """Every payload as an item body, a comment, a flag's words, and a pending item's
    title and summary; the key of the item that holds the comments."""
    services = app.extensions["peerlearn"]
    context = services.launch_sessions.read(token).context_id
    with services.engine.begin() as connection:
        users = dict(connection.execute(select(User.sub, User.id)).all())
        author, teacher = users["demo-learner-1"], users["demo-teacher"]
        item_id, key = rows.item(
            connection,
            context_id=context,
            author_id=author,
            title=_storable(CORPUS[0].text),
            summary=_storable(CORPUS[1].text),
            body="\n\n".join(_storable(payload.text) for payload in CORPUS),
        )
        for payload in CORPUS:
            comment = rows.comment(
                connection, item_id=item_id, author_id=author, body=_storable(payload.text)
            )
            connection.execute(
                insert(LibraryFlag).values(
                    context_id=context,
                    target_kind="comment",
                    target_id=comment,
                    flagged_by=teacher,
                    reason=Reason(
                        FlagReason.OTHER, " ".join(_storable(payload.text).split())[:500]
                    ).text,
                )
            )
            rows.item(
                connection,
                context_id=context,
                author_id=author,
                state="pending",
                title=_storable(payload.text),
                summary=_storable(payload.text),
            )
    return key


def fill_through_the_app(app: Flask, port: int, tokens: dict[str, str]) -> list[str]:
    """The corpus submitted through the served app; the paths of the pages listing it
    (pages about a single entry: the first few of each kind)."""
    world = SimpleNamespace(
        tool_url=f"http://127.0.0.1:{port}", services=app.extensions["peerlearn"]
    )
    library = Library(world)  # type: ignore[arg-type]
    library.sessions = {person: (Browser(), token) for person, token in tokens.items()}
    paths: list[str] = []
    for submit in (submit_items, submit_discussion, submit_requests, submit_files):
        pages = submit(library)
        for visits in pages.paths.values():
            for viewer, path in visits[:3]:
                joiner = "&" if "?" in path else "?"
                paths.append(f"{library.base}{path}{joiner}ls={tokens[viewer]}")
    return paths


def visit(frame: Any, url: str) -> None:
    frame.goto(url)
    frame.wait_for_load_state("load")
    frame.wait_for_timeout(300)  # onerror/onload/ontoggle handlers fire after load


def without_csp(route: Any) -> None:
    response = route.fetch()
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() != "content-security-policy"
    }
    route.fulfill(response=response, headers=headers)


# What the browser runs depends on the pages, not the database: SQLite is enough.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_payload_runs_in_chromium(chromium: Any, demo_app: tuple[int, Flask]) -> None:
    port, app = demo_app
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tokens = {person: launch(page, port, person)[1] for person in (AUTHOR, PEER, OTHER)}
    frame, token = launch(page, port, TEACHER)
    tokens[TEACHER] = token
    key = fill_library(app, token)
    base = f"http://127.0.0.1:{port}/app/library"
    pages = [
        f"{base}/moderation?ls={token}",
        f"{base}/moderation/items/{key}?ls={token}",
        f"{base}/items/{key}/share?ls={token}",
        f"{base}/items/{key}/flag?ls={token}",
    ]
    flag_page = pages[-1]
    pages += [f"{base}/items/{key}?ls={token}", f"{base}/items/{key}/history?ls={token}"]
    pages += fill_through_the_app(app, port, tokens)
    pages.append(flag_page)  # last: the counts below are read after it
    for csp in ("served", "stripped"):
        if csp == "stripped":
            page.route("**/app/library/**", without_csp)
        for url in pages:
            visit(frame, url)
            assert frame.evaluate("() => window.__xss") is None, (csp, url)
            assert page.evaluate("() => window.__xss") is None, (csp, url)
            own_scripts = frame.evaluate(
                "() => [...document.scripts].map(s => s.getAttribute('src'))"
            )
            # Only our own script (pages not yet on the shared layout have none).
            assert set(own_scripts) <= {"/static/session.js"}, (csp, url, own_scripts)
            assert dialogs == [], (csp, url, dialogs)
    assert frame.locator("#flagged article.flagged").count() == 0  # on the flag page now
    assert len(pages) > 30
    visit(frame, pages[0])
    # The rows' flagged comments and pending items, and the app's flagged comments.
    assert frame.locator("#flagged article.flagged").count() >= len(CORPUS)
    assert frame.locator("#pending article.pending").count() >= len(CORPUS)

    # Control: with the policy stripped, markup that did get in would run and be seen.
    frame.evaluate(
        """() => document.body.insertAdjacentHTML(
            'beforeend', '<img src=x onerror="window.__xss=1;alert(1)">')"""
    )
    frame.wait_for_timeout(300)
    assert frame.evaluate("() => window.__xss") == 1
    assert dialogs == ["1"]
    context.close()
