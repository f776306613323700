"""The library listing on SQLite and PostgreSQL: filters, sorts, pages and "following"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, event

from lti_tool.library.discovery import LibraryPage, LibraryQuery, TopicTag, list_items
from tests.factories.library import Library


@dataclass
class Course:
    connection: Connection
    library: Library
    id: int
    neighbour: int
    ada: int
    bob: int
    viewer: int
    python: int
    sql: int
    items: dict[str, int]

    def page(self, **query: object) -> LibraryPage:
        return list_items(
            self.connection,
            context_id=self.id,
            viewer_id=self.viewer,
            query=LibraryQuery(**query),  # type: ignore[arg-type]
        )

    def titles(self, **query: object) -> list[str]:
        return [card.title for card in self.page(**query).items]


@pytest.fixture
def course(engine: Engine) -> Iterator[Course]:
    with engine.begin() as connection:
        library = Library.on(connection)
        course, neighbour = library.course("c1"), library.course("c2")
        ada, bob = library.person("ada", "Ada Lovelace"), library.person("bob", None)
        viewer = library.person("viewer")
        python, sql = library.topic(course, "Python"), library.topic(course, "SQL")
        items = {
            "first": library.item(
                course, "first", author_id=ada, helpful_count=2, view_count=9, kind="tip"
            ),
            "second": library.item(
                course,
                "second",
                author_id=bob,
                helpful_count=5,
                rating_sum=9,
                rating_count=3,
                view_count=1,
                summary="A summary",
            ),
            "third": library.item(
                course, "third", author_id=ada, helpful_count=5, rating_sum=5, rating_count=1
            ),
            "fourth": library.item(course, "fourth", author_id=None, view_count=30, kind="video"),
            "shared": library.item(neighbour, "shared", author_id=bob, view_count=20),
            "unshared": library.item(neighbour, "unshared", author_id=bob),
            "draft": library.item(course, "draft", author_id=ada, state="draft"),
            "gone": library.item(course, "gone", author_id=ada, deleted_at=datetime.now(UTC)),
        }
        library.share(items["shared"], course)
        library.tag(items["first"], python)
        library.tag(items["second"], python, sql)
        library.tag(items["fourth"], sql)
        yield Course(connection, library, course, neighbour, ada, bob, viewer, python, sql, items)


def test_newest_first_with_shared_items_and_nothing_unlisted(course: Course) -> None:
    page = course.page()
    assert [card.title for card in page.items] == ["shared", "fourth", "third", "second", "first"]
    assert (page.total, page.has_next, page.page, page.per_page) == (5, False, 1, 20)


def test_cards_carry_authors_topics_and_counters(course: Course) -> None:
    cards = {card.title: card for card in course.page().items}
    second = cards["second"]
    assert second.author_name == "Bob"  # no chosen name: the LMS's name
    assert second.summary == "A summary"
    assert second.rating_average == 3.0
    assert second.topics == (
        TopicTag(course.python, "Python", "python"),
        TopicTag(course.sql, "SQL", "sql"),
    )
    assert cards["first"].author_name == "Ada Lovelace"
    assert cards["first"].rating_average is None
    assert cards["fourth"].author_id is None
    assert cards["fourth"].author_name == "Former participant"


def test_sorts(course: Course) -> None:
    # Helpful: votes, then the rating average, then the newest.
    assert course.titles(sort="helpful") == ["third", "second", "first", "shared", "fourth"]
    assert course.titles(sort="viewed") == ["fourth", "shared", "first", "second", "third"]
    assert course.titles(sort="relevance") == course.titles(sort="newest")


def test_filters(course: Course) -> None:
    assert course.titles(topic_ids=(course.python,)) == ["second", "first"]
    assert course.titles(topic_ids=(course.python, course.sql)) == ["fourth", "second", "first"]
    assert course.titles(kinds=("tip", "video")) == ["fourth", "first"]
    assert course.titles(author_id=course.bob) == ["shared", "second"]
    assert course.titles(author_id=course.ada, kinds=("tip",)) == ["first"]
    assert course.page(author_id=course.bob).total == 2
    assert course.titles(kinds=("slides",)) == []


def test_pages(course: Course) -> None:
    pages = [course.page(per_page=2, page=n) for n in (1, 2, 3, 4)]
    assert [[card.title for card in page.items] for page in pages] == [
        ["shared", "fourth"],
        ["third", "second"],
        ["first"],
        [],
    ]
    assert [(page.total, page.has_next) for page in pages] == [
        (5, True),
        (5, True),
        (5, False),
        (5, False),
    ]
    for sort in ("helpful", "viewed"):
        paged = [course.titles(per_page=2, page=n, sort=sort) for n in (1, 2, 3)]
        assert [title for chunk in paged for title in chunk] == course.titles(sort=sort)


def test_per_page_and_page_are_capped(course: Course) -> None:
    assert course.page(per_page=10_000).per_page == 50
    assert course.page(per_page=0, page=-3).items[0].title == "shared"


def test_following_topics_and_authors(course: Course) -> None:
    assert course.titles(following=True) == []
    course.library.follow(course.id, course.viewer, "topic", course.sql)
    assert course.titles(following=True) == ["fourth", "second"]
    course.library.follow(course.id, course.viewer, "author", course.ada)
    assert course.titles(following=True) == ["fourth", "third", "second", "first"]
    # Follows made in another course, or by someone else, do not count.
    course.library.follow(course.neighbour, course.viewer, "author", course.bob)
    course.library.follow(course.id, course.ada, "author", course.bob)
    assert course.titles(following=True) == ["fourth", "third", "second", "first"]
    assert course.titles(following=True, kinds=("video",)) == ["fourth"]


def test_following_reaches_shared_items_and_pages_and_counts_them(course: Course) -> None:
    """The followed set is read once (PostgreSQL) and intersected with the shared ids:
    a shared item by a followed author is in, the author's unshared one is not."""
    course.library.follow(course.id, course.viewer, "author", course.bob)
    assert course.titles(following=True) == ["shared", "second"]
    assert course.page(following=True, per_page=1, page=2).total == 2
    assert course.titles(following=True, per_page=1, page=2) == ["second"]
    assert course.titles(following=True, sort="viewed") == ["shared", "second"]
    course.library.follow(course.id, course.viewer, "topic", course.python)
    assert course.titles(following=True, topic_ids=(course.sql,)) == ["second"]
    assert course.page(following=True, text="shared").total == 1


def test_search_combines_with_filters_sorts_and_pages(course: Course) -> None:
    library = course.library
    for n in range(7):
        library.item(
            course.id, f"Joins {n}", author_id=course.bob if n % 2 else course.ada, view_count=n
        )
    assert course.page(text="joins").total == 7
    assert course.titles(text="joins", author_id=course.bob, sort="viewed") == [
        "Joins 5",
        "Joins 3",
        "Joins 1",
    ]
    pages = [course.page(text="joins", per_page=3, page=n) for n in (1, 2, 3, 4)]
    assert [len(page.items) for page in pages] == [3, 3, 1, 0]
    assert [(page.total, page.has_next) for page in pages] == [
        (7, True),
        (7, True),
        (7, False),
        (7, False),
    ]


def test_one_query_each_for_shares_items_count_topics_and_authors(course: Course) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(course.connection, "before_cursor_execute", count)
    try:
        assert len(course.page(per_page=50).items) == 5
    finally:
        event.remove(course.connection, "before_cursor_execute", count)
    assert len(statements) == 5, statements
