"""The social pages of the library in headless Chromium after every stored-XSS payload
was posted as a comment, a reply, a topic request and an item title: no dialog opens
and no payload runs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.functional.conftest import LtiWorld, build_world
from tests.functional.test_library_social import (
    AUTHOR,
    OTHER,
    PEER,
    TEACHER,
    Library,
    seed_payloads,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def world(tmp_path: Path, sqlite_template: Path) -> Iterator[LtiWorld]:
    database = tmp_path / "peerlearn.sqlite3"
    shutil.copy(sqlite_template, database)
    yield from build_world(tmp_path, f"sqlite:///{database}")


def test_no_payload_runs_in_a_real_browser(chromium: Any, world: LtiWorld) -> None:
    library = Library(world)
    for person in (AUTHOR, PEER, OTHER, TEACHER):
        library.open(person)
    item = seed_payloads(library)
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visits = [
        (PEER, f"/items/{item.key}/discussion", "#comments"),
        (PEER, "/feed", "#feed"),
        (PEER, "/requests", "#requests"),
        (TEACHER, "/requests", "#requests"),
        (AUTHOR, "/notifications", "#notifications"),
    ]
    for who, path, shown in visits:
        token = library.sessions[who][1]
        page.goto(f"{library.url(path)}?ls={token}")
        page.wait_for_selector(shown)
        page.wait_for_load_state("load")
        # Give handlers that fire late (onload of media, autofocus, animations) a chance.
        page.wait_for_timeout(300)
        assert page.evaluate("window.__xss") is None, path
        assert (
            page.locator(f"{shown} script, {shown} img, {shown} iframe, {shown} svg").count() == 0
        )
    assert dialogs == []
    context.close()
