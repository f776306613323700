"""Full-text search of library items: one interface, SQLite FTS5 and PostgreSQL behind it.

An implementation turns what a person typed into a subquery of matching item ids with a
score (higher is better). It never filters by course or state: callers join the subquery
to ``lib_item`` and apply the listing rules. Any text is safe: SQLite gets a query built
only from quoted words; PostgreSQL parses it with ``websearch_to_tsquery``, which accepts
any input. Ranking puts an item whose title equals the search text first, then the score:
on SQLite bm25 with the title weighted 10, the summary 4 and the body 1; on PostgreSQL
``ts_rank`` over the weighted vector (title A, summary B, body C) that migration 0008
stores in ``lib_item_search``, for any of the words (an item must still hold all of
them). ``ts_rank``, not ``ts_rank_cd``: cover density walks every position of every
matching item, and for a word found in all 12,000 items it took 80 ms against 2 ms; both
honour the weights, and the relevance tests hold with either.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import ColumnElement, Connection, Float, Integer, Subquery, case, func, text
from sqlalchemy.sql.elements import UnaryExpression

from lti_tool.domain.text import one_line
from lti_tool.persistence.library_models import LibraryItem

# More words than anyone types into a search box only slow the query down.
MAX_TERMS = 32
# Letters and digits: what SQLite's unicode61 tokenizer keeps as token characters.
_WORD = re.compile(r"[^\W_]+")
_POSTGRES_MATCH = (
    "SELECT item_id, ts_rank(document, to_tsquery('simple'::regconfig, :rank_terms)) AS score "
    "FROM lib_item_search, websearch_to_tsquery('simple'::regconfig, :search_text) AS query "
    # OFFSET 0 keeps the subquery whole: each score is computed here, once, instead of
    # the vectors being carried through the join and the count to the final sort.
    "WHERE document @@ query OFFSET 0"
)


class FullTextSearch(Protocol):
    """Finds items whose title, summary or body match a person's search text."""

    def matching(self, connection: Connection, search_text: str) -> Subquery | None:
        """A subquery with columns ``item_id`` and ``score`` (higher ranks first), or None
        when the text holds nothing searchable (then nothing matches). ``connection`` is
        the one that will run the query (an implementation may tune it for the query)."""
        ...


def clean_search_text(search_text: str) -> str:
    """The text as one line (:func:`lti_tool.domain.text.one_line`)."""
    return one_line(search_text)


def fts5_query(search_text: str) -> str | None:
    """An FTS5 query that finds every word, the last one also as a prefix (search as you
    type). Each word is a quoted string, so FTS5 operators typed by a person (AND, NEAR(,
    *, quotes, column filters) are only words."""
    words = _WORD.findall(search_text)[:MAX_TERMS]
    if not words:
        return None
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SqliteFts5Search:
    """SQLite: the ``lib_item_fts`` external-content table, ranked by weighted bm25."""

    def matching(self, connection: Connection, search_text: str) -> Subquery | None:
        query = fts5_query(search_text)
        if query is None:
            return None
        return (
            text(
                "SELECT rowid AS item_id, -bm25(lib_item_fts, 10.0, 4.0, 1.0) AS score "
                "FROM lib_item_fts WHERE lib_item_fts MATCH :fts_query"
            )
            .bindparams(fts_query=query)
            .columns(item_id=Integer, score=Float)
            .subquery("matched")
        )


class PostgresFullTextSearch:
    """PostgreSQL: the stored vectors of ``lib_item_search`` (GIN index), ranked by
    ``ts_rank``."""

    def matching(self, connection: Connection, search_text: str) -> Subquery | None:
        cleaned = clean_search_text(search_text)
        if not _WORD.search(cleaned):
            return None
        # psycopg prepares a statement run five times; PostgreSQL then tries a generic
        # plan, which cannot know how many items a search matches and, for a common word,
        # took 4 s instead of 0.1 s. Plan each search for its own words (this transaction).
        connection.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        # Matching needs every word; ranking by any of them weighs the same occurrences
        # by field without ts_rank's all-words proximity pass, which compares positions
        # pairwise: for three words found in almost every item it took 120-220 ms of a
        # search against 5 ms (10,000 items, benchmarks/library.py).
        rank_terms = " | ".join(_WORD.findall(cleaned)[:MAX_TERMS])
        return (
            text(_POSTGRES_MATCH)
            .bindparams(search_text=cleaned, rank_terms=rank_terms)
            .columns(item_id=Integer, score=Float)
            .subquery("matched")
        )


def search_for(connection: Connection) -> FullTextSearch:
    """The implementation for the connection's database."""
    if connection.dialect.name == "postgresql":
        return PostgresFullTextSearch()
    return SqliteFts5Search()


def exact_title(search_text: str) -> ColumnElement[int]:
    """1 for an item whose title is the search text (case and spacing aside), else 0."""
    wanted = clean_search_text(search_text).lower()
    return case((func.lower(func.trim(LibraryItem.title)) == wanted, 1), else_=0)


def relevance_order(search_text: str, matched: Subquery) -> list[UnaryExpression[object]]:
    """Exact title first, then the text score, then the newest item."""
    return [
        exact_title(search_text).desc(),
        matched.c.score.desc(),
        LibraryItem.id.desc(),
    ]
