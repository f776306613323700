"""library full-text search

SQLite: an FTS5 external-content table ``lib_item_fts`` over ``lib_item`` (title,
summary, body Markdown), kept exact by triggers and rebuilt from the existing rows here.
The update trigger fires only when an indexed column is written, so the counters that
change on every view or vote do not touch the index. Caution: a later ``batch_alter_table``
on ``lib_item`` copies the table and drops its triggers; such a migration must create the
triggers again (``SQLITE_TRIGGERS`` below) and rebuild the index.

PostgreSQL: ``lib_item_search`` holds each item's weighted tsvector (title A, summary B,
body C) under a GIN index, kept by a trigger on ``lib_item`` and removed with the item by
its foreign key (so ``TRUNCATE lib_item CASCADE`` empties it too). A stored vector, not an
expression index on ``lib_item``: ranking needs the vector of every matching item, and
recomputing ``to_tsvector`` for thousands of bodies per search was ten times slower. The
'simple' configuration (no stemming, no stop words) searches a course in any language
alike and matches what SQLite's unicode61 tokenizer does.

These objects live outside the SQLAlchemy metadata; ``env.py`` leaves them out of
``alembic check``.

Also ``ix_lib_item_course_listed`` (in the metadata): the library lists and counts
published, undeleted items of a course from the index alone. Without it every count read
each row's ``deleted_at``, which SQLite keeps behind the body in overflow pages: 45 ms
for 10,000 items, against 0.4 ms.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 08:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def postgres_document(row: str) -> str:
    return (
        f"setweight(to_tsvector('simple'::regconfig, {row}.title), 'A') || "
        f"setweight(to_tsvector('simple'::regconfig, {row}.summary), 'B') || "
        f"setweight(to_tsvector('simple'::regconfig, {row}.body_markdown), 'C')"
    )


_REFRESH_FUNCTION = """
CREATE FUNCTION lib_item_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lib_item_search (item_id, document) VALUES (NEW.id, DOCUMENT)
    ON CONFLICT (item_id) DO UPDATE SET document = EXCLUDED.document;
    RETURN NULL;
END
$$"""
POSTGRES_REFRESH = _REFRESH_FUNCTION.replace("DOCUMENT", postgres_document("NEW"))

_INDEX_ROW = (
    "INSERT INTO lib_item_fts(rowid, title, summary, body_markdown) "
    "VALUES (new.id, new.title, new.summary, new.body_markdown);"
)
# External content: FTS5 removes a row's tokens given the exact values it indexed.
_UNINDEX_ROW = (
    "INSERT INTO lib_item_fts(lib_item_fts, rowid, title, summary, body_markdown) "
    "VALUES ('delete', old.id, old.title, old.summary, old.body_markdown);"
)

SQLITE_TRIGGERS = {
    "lib_item_fts_insert": f"AFTER INSERT ON lib_item BEGIN {_INDEX_ROW} END",
    "lib_item_fts_delete": f"AFTER DELETE ON lib_item BEGIN {_UNINDEX_ROW} END",
    "lib_item_fts_update": (
        "AFTER UPDATE OF title, summary, body_markdown ON lib_item "
        f"BEGIN {_UNINDEX_ROW} {_INDEX_ROW} END"
    ),
}


def upgrade() -> None:
    # Plain create_index: batch mode could copy lib_item and lose the triggers below.
    op.create_index(
        "ix_lib_item_course_listed",
        "lib_item",
        ["context_id", "state", "deleted_at", "published_at", "id"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE lib_item_fts USING fts5("
            "title, summary, body_markdown, content='lib_item', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
        op.execute("INSERT INTO lib_item_fts(lib_item_fts) VALUES ('rebuild')")
    else:
        op.execute(
            "CREATE TABLE lib_item_search ("
            "item_id integer PRIMARY KEY REFERENCES lib_item (id) ON DELETE CASCADE, "
            "document tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_lib_item_search ON lib_item_search USING gin (document)")
        op.execute(POSTGRES_REFRESH)
        op.execute(
            "CREATE TRIGGER lib_item_search_refresh "
            "AFTER INSERT OR UPDATE OF title, summary, body_markdown ON lib_item "
            "FOR EACH ROW EXECUTE FUNCTION lib_item_search_refresh()"
        )
        op.execute(
            "INSERT INTO lib_item_search (item_id, document) "  # noqa: S608 (constant SQL)
            f"SELECT id, {postgres_document('lib_item')} FROM lib_item"
        )


def downgrade() -> None:
    op.drop_index("ix_lib_item_course_listed", table_name="lib_item")
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS lib_item_fts")
    else:
        op.execute("DROP TRIGGER IF EXISTS lib_item_search_refresh ON lib_item")
        op.execute("DROP FUNCTION IF EXISTS lib_item_search_refresh()")
        op.execute("DROP TABLE IF EXISTS lib_item_search")
