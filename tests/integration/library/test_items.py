"""Library operations on SQLite and PostgreSQL: versions and restore, stale saves, views
counted once per hour, soft deletion, attachments all or nothing."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, func, insert, select

from lti_tool.domain.errors import BadRequest, NotFound
from lti_tool.domain.library.content import (
    ATTACHMENTS_PER_ITEM,
    ItemContent,
    ItemForm,
    check_item,
)
from lti_tool.domain.library.video import VideoProviders
from lti_tool.file_store import FileStore
from lti_tool.learning_records.recorder import Recorder
from lti_tool.learning_records.records import TOPIC, Routes
from lti_tool.library import attachments, items, reading
from lti_tool.outbox import store as outbox
from lti_tool.persistence.library_models import (
    LibraryAttachment,
    LibraryAudit,
    LibraryItem,
    LibraryItemVersion,
)
from lti_tool.persistence.models import User
from tests.factories import lti as rows

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n" + b"0" * 100 + b"\n%%EOF\n"


@pytest.fixture
def recorder(engine: Engine) -> Recorder:
    return Recorder(routes=Routes(engine), base_url="https://peerlearn.example", strict=True)


def course(connection: Connection) -> tuple[int, int, int]:
    chain = rows.course_chain(connection, issuer="https://lms", title=None)
    platform, context = chain.platform_id, chain.context_id
    author, reader = (
        connection.execute(
            insert(User).values(platform_id=platform, sub=sub).returning(User.id)
        ).scalar_one()
        for sub in ("author", "reader")
    )
    return context, author, reader


def content(**fields: str) -> ItemContent:
    return check_item(ItemForm(kind="article", **fields), providers=VideoProviders())


def verbs(connection: Connection) -> list[str]:
    return [
        json.loads(p)["verb"]["display"]["en-US"] for p in outbox.payloads(connection, topic=TOPIC)
    ]


def test_versions_restore_and_stale_saves(engine: Engine, recorder: Recorder) -> None:
    with engine.begin() as connection:
        context, author, _reader = course(connection)
        created = items.create_draft(
            connection,
            context_id=context,
            author_id=author,
            content=content(title="One", body="first", topics="A, B"),
            now=NOW,
            recorder=recorder,
        )
        items.save(
            connection,
            item_id=created.id,
            editor_id=author,
            content=content(title="Two", body="second", topics="C"),
            edited_from=1,
            now=NOW,
            recorder=recorder,
        )
    with engine.begin() as connection, pytest.raises(items.EditConflict):
        items.save(
            connection,
            item_id=created.id,
            editor_id=author,
            content=content(title="Stale", body="x"),
            edited_from=1,
            now=NOW,
            recorder=recorder,
        )
    with engine.begin() as connection:
        assert (
            items.restore(
                connection,
                item_id=created.id,
                number=1,
                editor_id=author,
                edited_from=2,
                now=NOW,
                recorder=recorder,
            )
            == 3
        )
        row = items.item_row(connection, created.id)
        assert (row.title, row.body_markdown, row.body_html, row.version) == (
            "One",
            "first",
            "<p>first</p>",
            3,
        )
        saved = connection.execute(
            select(LibraryItemVersion.number, LibraryItemVersion.title, LibraryItemVersion.topics)
            .where(LibraryItemVersion.item_id == created.id)
            .order_by(LibraryItemVersion.number)
        ).all()
        assert [tuple(r) for r in saved] == [
            (1, "One", ["A", "B"]),
            (2, "Two", ["C"]),
            (3, "One", ["A", "B"]),
        ]
        with pytest.raises(NotFound):
            items.version(connection, created.id, 9)
        assert verbs(connection) == ["authored", "edited", "edited"]


def test_views_count_once_per_person_per_hour(engine: Engine, recorder: Recorder) -> None:
    with engine.begin() as connection:
        context, author, reader = course(connection)
        created = items.create_draft(
            connection,
            context_id=context,
            author_id=author,
            content=content(title="T", body="b"),
            now=NOW,
            recorder=recorder,
        )
        items.publish(connection, item_id=created.id, actor_is_staff=False, now=NOW)
    seen = []
    for minutes in (0, 1, 59, 61, 62, 125):
        with engine.begin() as connection:
            seen.append(
                reading.record_view(
                    connection,
                    item_id=created.id,
                    viewer_id=reader,
                    context_id=context,
                    now=NOW + timedelta(minutes=minutes),
                    recorder=recorder,
                )
            )
    assert seen == [True, False, False, True, False, True]
    with engine.connect() as connection:
        assert items.item_row(connection, created.id).view_count == 3
        assert verbs(connection).count("viewed") == 3


def test_soft_delete_once_with_an_audit_row(engine: Engine, recorder: Recorder) -> None:
    with engine.begin() as connection:
        context, author, _reader = course(connection)
        created = items.create_draft(
            connection,
            context_id=context,
            author_id=author,
            content=content(title="T", body="b"),
            now=NOW,
            recorder=recorder,
        )
        items.soft_delete(
            connection, item_id=created.id, actor_id=author, now=NOW, recorder=recorder
        )
    with engine.begin() as connection, pytest.raises(NotFound):
        items.soft_delete(
            connection, item_id=created.id, actor_id=author, now=NOW, recorder=recorder
        )
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LibraryAudit)).scalar_one() == 1
        assert connection.execute(select(LibraryItem.deleted_by)).scalar_one() == author
        assert verbs(connection) == ["authored", "voided"]
    with engine.begin() as connection, pytest.raises(BadRequest):
        items.publish(connection, item_id=created.id, actor_is_staff=True, now=NOW)


def test_attachments_are_all_or_nothing(engine: Engine, recorder: Recorder, tmp_path: Path) -> None:
    store = FileStore(tmp_path / "files")
    with engine.begin() as connection:
        context, author, _reader = course(connection)
        created = items.create_draft(
            connection,
            context_id=context,
            author_id=author,
            content=content(title="T", body="b"),
            now=NOW,
            recorder=recorder,
        )
    uploads = [(f"f{n}.pdf", io.BytesIO(PDF)) for n in range(ATTACHMENTS_PER_ITEM + 1)]
    with pytest.raises(BadRequest, match="at most"):
        attachments.attach(
            engine.begin,
            store=store,
            item_id=created.id,
            uploads=uploads,
            max_bytes=10_000,
            now=NOW,
        )
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []
    ids = attachments.attach(
        engine.begin,
        store=store,
        item_id=created.id,
        uploads=[("a.pdf", io.BytesIO(PDF))],
        max_bytes=10_000,
        now=NOW,
    )
    with engine.begin() as connection:
        assert [a.id for a in attachments.attachments_of(connection, created.id)] == ids
        attachments.remove(
            connection, store=store, item_id=created.id, attachment_id=ids[0], now=NOW
        )
        assert attachments.attachments_of(connection, created.id) == []
        assert (
            connection.execute(select(func.count()).select_from(LibraryAttachment)).scalar_one()
            == 1
        )
    assert [p for p in (tmp_path / "files").rglob("*") if p.is_file()] == []


def test_content_disposition_escapes_names() -> None:
    assert attachments.content_disposition('a "b"; c%.pdf', inline=False) == (
        "attachment; filename=\"a _b__ c_.pdf\"; filename*=UTF-8''a%20%22b%22%3B%20c%25.pdf"
    )
    assert attachments.content_disposition("日本.pdf", inline=True).startswith(
        'inline; filename="__.pdf"'
    )
