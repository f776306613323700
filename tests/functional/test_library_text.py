"""Control characters in every library text field: dropped by the domain's one text rule
(lti_tool.domain.text) before anything is stored, so PostgreSQL, which refuses
NUL in text, never sees one; a file name holding one is refused with a clear message."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.persistence.library_models import (
    LibraryComment,
    LibraryFlag,
    LibraryItem,
    LibraryTopic,
    TopicRequest,
)
from tests.factories.library_visits import Library
from tests.functional.conftest import LtiWorld
from tests.functional.test_peer_review import PDF

DIRTY = "Pivot\x00 tables\x07\x1b[31m\x7f"


@pytest.fixture
def library(world: LtiWorld) -> Library:
    found = Library(world)
    for person in ("demo-learner-1", "demo-learner-2"):
        found.launch(person)
    return found


def stored(library: Library, *columns: Any) -> list[str]:
    with library.world.services.engine.connect() as connection:
        rows = connection.execute(select(*columns)).all()
    return [str(value) for row in rows for value in row if value is not None]


def assert_clean(values: list[str]) -> None:
    assert values, "nothing was stored"
    for value in values:
        assert not any((ord(c) < 0x20 and c not in "\n\t") or c == "\x7f" for c in value), value


def test_no_control_character_reaches_the_database(library: Library) -> None:
    key = library.create_item(
        "demo-learner-2",
        kind="link",
        title=DIRTY,
        summary=DIRTY,
        body=f"**{DIRTY}**\r\nline two",
        link_url="https://example.org/pivot",
        link_title=DIRTY,
        link_description=DIRTY,
        topics=f"{DIRTY}, Data\x00science",
    )
    assert library.post("demo-learner-2", f"/items/{key}/publish").status == 200
    commented = library.post("demo-learner-1", f"/items/{key}/comments", body=DIRTY)
    assert commented.status == 200, commented.text
    flagged = library.post("demo-learner-1", f"/items/{key}/flag", reason="other", details=DIRTY)
    assert flagged.status == 200, flagged.text
    proposed = library.post("demo-learner-1", "/requests", title=DIRTY, description=DIRTY)
    assert proposed.status == 200, proposed.text
    found = library.get("demo-learner-1", "/", q=DIRTY)
    assert found.status == 200
    assert "\x00" not in found.text

    item = library.item_row(key)
    assert item.title == "Pivot tables[31m"
    assert item.body_markdown == "**Pivot tables[31m**\nline two"
    assert_clean(
        stored(
            library,
            LibraryItem.title,
            LibraryItem.summary,
            LibraryItem.body_markdown,
            LibraryItem.link_title,
            LibraryItem.link_description,
        )
    )
    assert sorted(stored(library, LibraryTopic.name)) == ["Datascience", "Pivot tables[31m"]
    assert_clean(stored(library, LibraryComment.body_markdown, LibraryComment.body_html))
    assert_clean(stored(library, LibraryFlag.reason))
    assert_clean(stored(library, TopicRequest.title, TopicRequest.description))


def test_a_file_name_with_a_control_character_is_refused(library: Library) -> None:
    key = library.create_item("demo-learner-2", kind="file", title="Slides")
    sent = library.upload("demo-learner-2", key, ("notes\x00.pdf", PDF))
    assert sent.status_code in {400, 422}, sent.text
    assert "control characters" in sent.text
    assert stored(library, LibraryItem.key) == [key]
