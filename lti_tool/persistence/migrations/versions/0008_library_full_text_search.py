"""library full-text search

SQLite: an FTS5 external-content table ``lib_item_fts`` over ``lib_item`` (title,
summary, body Markdown), kept exact by triggers and rebuilt from the existing rows here.
The update trigger fires only when an indexed column is written, so the counters that
change on every view or vote do not touch the index. Caution: a later ``batch_alter_table``
on ``lib_item`` copies the table and drops its triggers; such a migration must create the
triggers again (``SQLITE_TRIGGERS`` below) and rebuild the index.

PostgreSQL: a GIN expression index ``ix_lib_item_search`` on ``lib_item`` over a weighted
tsvector (title A, summary B, body C) with the 'simple' configuration: no stemming and no
stop words, so a course in any language is searched alike, and it matches what SQLite's
unicode61 tokenizer does. Being an index on ``lib_item`` itself, it needs no triggers and
empties with the table.

Both objects live outside the SQLAlchemy metadata; ``env.py`` leaves them out of
``alembic check``.

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

# Kept in step with lti_tool/library/search.py, whose query must repeat this expression
# word for word for PostgreSQL to use the index.
POSTGRES_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, summary), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, body_markdown), 'C')"
)

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
        op.execute(f"CREATE INDEX ix_lib_item_search ON lib_item USING gin (({POSTGRES_DOCUMENT}))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS lib_item_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_lib_item_search")
