"""Full-text search of the library on SQLite (FTS5) and PostgreSQL: relevance, what is
never listed, course scope with shared items, and input that must never break a query."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, delete, text, update

from lti_tool.library.discovery import LibraryQuery, list_items
from lti_tool.library.search import fts5_query
from lti_tool.persistence.library_models import LibraryItem
from tests.factories.library import Library


def titles(connection: Connection, context_id: int, search: str, **query: object) -> list[str]:
    query.setdefault("sort", "relevance")
    found = list_items(
        connection,
        context_id=context_id,
        viewer_id=0,
        query=LibraryQuery(text=search, **query),  # type: ignore[arg-type]
    )
    return [card.title for card in found.items]


def test_an_exact_title_ranks_first_and_a_body_only_match_last(engine: Engine) -> None:
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        library.item(course, "Notes", body_markdown="Somewhere we mention feedback loops.")
        library.item(course, "Feedback loops in teams and what they teach")
        library.item(course, "Feedback loops")
        library.item(course, "Reading list", summary="Feedback loops, briefly.")
        library.item(course, "Gardening")
        found = titles(connection, course, "feedback loops")
    assert found[0] == "Feedback loops"
    assert found[-1] == "Notes"
    assert set(found) == {
        "Notes",
        "Feedback loops in teams and what they teach",
        "Feedback loops",
        "Reading list",
    }
    # The title weighs more than the summary.
    assert found.index("Feedback loops in teams and what they teach") < found.index("Reading list")


def test_every_word_must_match_and_fields_weigh_with_several_words(engine: Engine) -> None:
    """Ranking counts any of the words (PostgreSQL ranks with an OR of them), matching
    still needs all of them."""
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        library.item(course, "Notes", body_markdown="kanban " * 30 + "budget " * 30)
        library.item(course, "Kanban and the budget", summary="How we plan.")
        library.item(course, "Kanban only", body_markdown="kanban " * 50)
        library.item(course, "Budget review", summary="kanban boards for money")
        found = titles(connection, course, "budget kanban")
    assert found[0] == "Kanban and the budget"  # both words in the title
    assert set(found) == {"Kanban and the budget", "Budget review", "Notes"}


def test_the_exact_title_wins_over_a_title_that_repeats_the_words(engine: Engine) -> None:
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        library.item(course, "Rubric rubric rubric tips", summary="rubric " * 20)
        library.item(course, "Rubric")
        assert titles(connection, course, "  RUBRIC ")[0] == "Rubric"


def test_hidden_deleted_draft_and_pending_items_never_match(engine: Engine) -> None:
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        library.item(course, "Pivot tables published")
        library.item(course, "Pivot tables hidden", state="hidden")
        library.item(course, "Pivot tables draft", state="draft")
        library.item(course, "Pivot tables pending", state="pending")
        library.item(course, "Pivot tables deleted", deleted_at=datetime.now(UTC))
        assert titles(connection, course, "pivot tables") == ["Pivot tables published"]
        for sort in ("newest", "helpful", "viewed"):
            assert titles(connection, course, "pivot", sort=sort) == ["Pivot tables published"]


def test_other_courses_stay_out_and_shared_items_come_in(engine: Engine) -> None:
    with engine.begin() as connection:
        library = Library.on(connection)
        other_platform = Library.on(connection, issuer="https://other.example")
        course, neighbour = library.course("c1"), library.course("c2")
        stranger = other_platform.course("c1")
        library.item(course, "Onboarding checklist")
        shared = library.item(neighbour, "Onboarding for mentors")
        library.item(neighbour, "Onboarding not shared")
        other_platform.item(stranger, "Onboarding elsewhere")
        library.share(shared, course)
        assert sorted(titles(connection, course, "onboarding")) == [
            "Onboarding checklist",
            "Onboarding for mentors",
        ]
        assert sorted(titles(connection, neighbour, "onboarding")) == [
            "Onboarding for mentors",
            "Onboarding not shared",
        ]
        assert titles(connection, stranger, "onboarding") == ["Onboarding elsewhere"]


def test_the_index_follows_edits_and_deletions(engine: Engine) -> None:
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        item = library.item(course, "Kanban basics", body_markdown="Limit work in progress.")
        connection.execute(
            update(LibraryItem)
            .where(LibraryItem.id == item)
            .values(title="Scrum basics", body_markdown="Sprints and reviews.")
        )
        # Counters change without touching the index.
        connection.execute(update(LibraryItem).where(LibraryItem.id == item).values(view_count=5))
        assert titles(connection, course, "kanban") == []
        assert titles(connection, course, "progress") == []
        assert titles(connection, course, "sprints") == ["Scrum basics"]
        connection.execute(delete(LibraryItem).where(LibraryItem.id == item))
        assert titles(connection, course, "scrum") == []
        if connection.dialect.name == "sqlite":
            # FTS5 checks its index against the content table.
            connection.execute(
                text("INSERT INTO lib_item_fts(lib_item_fts, rank) VALUES ('integrity-check', 1)")
            )


def test_prefix_of_the_last_word_matches(engine: Engine) -> None:
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        library.item(course, "Spreadsheet formulas")
        found = titles(connection, course, "spreadsheet form")
    # SQLite searches as you type; PostgreSQL's websearch syntax has no prefix match.
    assert found == (["Spreadsheet formulas"] if engine.dialect.name == "sqlite" else [])


WEIRD = [
    '"',
    '""',
    '"unbalanced',
    "AND",
    "a AND",
    "OR NOT",
    "*",
    "ab*",
    "NEAR(",
    "NEAR(a b, 3)",
    "title:pivot",
    "{title summary}: x",
    "-pivot",
    "^pivot",
    "(((",
    ")",
    "'; DROP TABLE lib_item; --",
    "\\",
    "%_%",
    "\x00pivot\x01",
    "ünïcödé 漢字 😀 مرحبا",
    "Pivot" * 200,
    "pivot " * 200,
    "a" * 1000,
    "&|!<->:*",
    "_",
    "   ",
    "!!!",
]


@pytest.mark.parametrize("weird", WEIRD)
def test_weird_input_never_breaks_the_query(engine: Engine, weird: str) -> None:
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        library.item(course, "Pivot tables", body_markdown="ünïcödé 漢字 notes")
        for sort in ("relevance", "newest"):
            page = list_items(
                connection,
                context_id=course,
                viewer_id=0,
                query=LibraryQuery(text=weird, sort=sort, page=3),
            )
            assert page.items == ()
        titles(connection, course, weird)


def test_unicode_words_are_found(engine: Engine) -> None:
    with engine.begin() as connection:
        library = Library.on(connection)
        course = library.course("c1")
        library.item(course, "Café culture", body_markdown="Über alles: 漢字")
        assert titles(connection, course, "café") == ["Café culture"]
        assert titles(connection, course, "über") == ["Café culture"]


def test_fts5_query_quotes_every_word() -> None:
    assert fts5_query('NEAR( "x" AND y*') == '"NEAR" "x" "AND" "y"*'
    assert fts5_query("!!! ___") is None
    assert fts5_query("w " * 100) == " ".join(['"w"'] * 31 + ['"w"*'])


def test_emptying_the_items_empties_the_index(database_url: str, engine: Engine) -> None:
    """The tests' PostgreSQL reset (TRUNCATE ... CASCADE) reaches the stored vectors."""
    from tests.conftest import empty_postgres  # noqa: PLC0415

    if engine.dialect.name != "postgresql":
        pytest.skip("each SQLite test starts from a copied file; nothing is emptied")
    with engine.begin() as connection:
        library = Library.on(connection)
        library.item(library.course("c1"), "Kept nowhere")
        assert connection.execute(text("SELECT count(*) FROM lib_item_search")).scalar() == 1
    engine.dispose()
    empty_postgres(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM lib_item_search")).scalar() == 0
