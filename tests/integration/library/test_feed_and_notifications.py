"""The feed and notifications on SQLite and PostgreSQL: fan-out to followers once per
person, never to the author, unread state per course, and nothing about items a course
may not see."""

from __future__ import annotations

import random

from sqlalchemy import func, insert, select, update

from lti_tool.domain.library.social import FeedVerb, NotificationKind, new_item_recipients
from lti_tool.library import feed, notifications
from lti_tool.persistence.library_models import (
    LibraryEvent,
    LibraryFollow,
    LibraryItem,
    LibraryNotification,
)
from tests.factories.library import CAMPUS_NOW as NOW
from tests.factories.library import Campus


def follow(campus: Campus, who: str, kind: str, target: int, course: int | None = None) -> None:
    campus.connection.execute(
        insert(LibraryFollow).values(
            context_id=course or campus.course,
            user_id=campus.person(who),
            target_kind=kind,
            target_id=target,
        )
    )


def inboxes(campus: Campus) -> dict[str, list[tuple[str, int | None]]]:
    rows = campus.connection.execute(
        select(LibraryNotification.user_id, LibraryNotification.kind, LibraryNotification.item_id)
    ).all()
    names = {pk: name for name, pk in campus.people.items()}
    found: dict[str, list[tuple[str, int | None]]] = {}
    for user, kind, item in rows:
        found.setdefault(names[user], []).append((kind, item))
    return found


def test_a_new_item_reaches_each_follower_once_and_never_its_author(campus: Campus) -> None:
    python = campus.topic("Python")
    sql = campus.topic("SQL")
    elsewhere = campus.topic("Python", course=campus.other_course)
    author = campus.person("ada")
    follow(campus, "both", "topic", python)
    follow(campus, "both", "author", author)
    follow(campus, "two-topics", "topic", python)
    follow(campus, "two-topics", "topic", sql)
    follow(campus, "fan", "author", author)
    follow(campus, "ada", "topic", python)  # the author follows her own topic
    follow(campus, "unrelated", "topic", campus.topic("Go"))
    follow(campus, "other-course", "topic", elsewhere, course=campus.other_course)
    follow(campus, "other-course-fan", "author", author, course=campus.other_course)
    item = campus.item("ada", topics=(python, sql))

    assert notifications.notify_new_item(campus.connection, item) == 3
    assert inboxes(campus) == {
        "both": [("new_item", item.id)],
        "two-topics": [("new_item", item.id)],
        "fan": [("new_item", item.id)],
    }
    # Approving or restoring the item later is no news.
    assert notifications.notify_new_item(campus.connection, item) == 0
    assert campus.connection.scalar(select(func.count()).select_from(LibraryNotification)) == 3


def test_published_is_announced_once_and_the_feed_shows_only_visible_items(
    campus: Campus,
) -> None:
    shown = campus.item("ada", title="Shown")
    feed.record_published(campus.connection, shown)
    feed.record_published(campus.connection, shown)
    hidden = campus.item("ada", title="Hidden later")
    feed.record_published(campus.connection, hidden)
    gone = campus.item("ada", title="Deleted later")
    feed.record_published(campus.connection, gone)
    campus.connection.execute(
        update(LibraryItem).where(LibraryItem.id == hidden.id).values(state="hidden")
    )
    campus.connection.execute(
        update(LibraryItem).where(LibraryItem.id == gone.id).values(deleted_at=NOW)
    )
    elsewhere = campus.item("bob", course=campus.other_course, title="Elsewhere")
    feed.record_published(campus.connection, elsewhere)

    page = feed.feed_page(campus.connection, context_id=campus.course)
    assert [(e.verb, e.item_title, e.actor_name) for e in page.entries] == [
        ("published", "Shown", "Ada")
    ]
    assert page.next_before is None
    assert (
        campus.connection.scalar(
            select(func.count()).where(LibraryEvent.verb == FeedVerb.PUBLISHED.value)
        )
        == 4
    )
    other = feed.feed_page(campus.connection, context_id=campus.other_course)
    assert [e.item_title for e in other.entries] == ["Elsewhere"]


def test_feed_pages_walk_back_without_gaps_or_repeats(campus: Campus) -> None:
    items = [campus.item("ada", title=f"Item {n}") for n in range(7)]
    for item in items:
        feed.record_published(campus.connection, item)
    seen: list[str] = []
    before = None
    while True:
        page = feed.feed_page(campus.connection, context_id=campus.course, before=before, limit=3)
        seen.extend(entry.item_title for entry in page.entries)
        if page.next_before is None:
            break
        before = page.next_before
    assert seen == [f"Item {n}" for n in reversed(range(7))]


def test_unread_state_is_per_person_and_course(campus: Campus) -> None:
    ada, bob = campus.person("ada"), campus.person("bob")
    item = campus.item("ada")
    notifications.notify(
        campus.connection,
        [ada, ada, bob],
        context_id=campus.course,
        kind=NotificationKind.COMMENT,
        actor_id=campus.person("eve"),
        item_id=item.id,
    )
    notifications.notify(
        campus.connection,
        [ada],
        context_id=campus.other_course,
        kind=NotificationKind.COMMENT,
        actor_id=bob,
        item_id=campus.item("bob", course=campus.other_course).id,
    )
    count = notifications.unread_count
    assert count(campus.connection, user_id=ada, context_id=campus.course) == 1
    assert count(campus.connection, user_id=ada, context_id=campus.other_course) == 1
    mine = notifications.inbox(campus.connection, user_id=ada, context_id=campus.course)
    [notice] = mine.notices
    assert (notice.kind, notice.actor_name, notice.read, mine.unread) == (
        "comment",
        "Eve",
        False,
        1,
    )
    # Someone else's notification is not theirs to mark.
    assert not notifications.mark_read(
        campus.connection, user_id=bob, context_id=campus.course, notification_id=notice.id
    )
    assert notifications.mark_read(
        campus.connection, user_id=ada, context_id=campus.course, notification_id=notice.id
    )
    assert count(campus.connection, user_id=ada, context_id=campus.course) == 0
    assert count(campus.connection, user_id=bob, context_id=campus.course) == 1
    assert (
        notifications.mark_all_read(campus.connection, user_id=bob, context_id=campus.course) == 1
    )
    assert count(campus.connection, user_id=bob, context_id=campus.course) == 0
    assert count(campus.connection, user_id=ada, context_id=campus.other_course) == 1
    # An item hidden since is no longer announced.
    notifications.notify(
        campus.connection,
        [ada],
        context_id=campus.course,
        kind=NotificationKind.COMMENT,
        actor_id=bob,
        item_id=item.id,
    )
    assert count(campus.connection, user_id=ada, context_id=campus.course) == 1
    campus.connection.execute(
        update(LibraryItem).where(LibraryItem.id == item.id).values(state="hidden")
    )
    assert count(campus.connection, user_id=ada, context_id=campus.course) == 0


def test_fan_out_in_sql_agrees_with_the_domain_rule(campus: Campus) -> None:
    """Random follow graphs: the INSERT ... SELECT notifies exactly the domain's set."""
    rng = random.Random("fan-out")  # noqa: S311 - reproducible test data
    people = [campus.person(f"p{n}") for n in range(12)]
    topics = [campus.topic(f"T{n}") for n in range(5)]
    for person in people:
        for topic in rng.sample(topics, rng.randint(0, 3)):
            follow(campus, f"p{people.index(person)}", "topic", topic)
        for author in rng.sample(people, rng.randint(0, 2)):
            if author != person:
                follow(campus, f"p{people.index(person)}", "author", author)
    for round_ in range(8):
        author = rng.choice(people)
        tagged = tuple(rng.sample(topics, rng.randint(0, 3)))
        item = campus.item(f"p{people.index(author)}", title=f"Item {round_}", topics=tagged)
        follows = campus.connection.execute(
            select(LibraryFollow.user_id, LibraryFollow.target_kind, LibraryFollow.target_id)
        ).all()
        expected = new_item_recipients(
            author_id=author,
            topic_followers=[u for u, kind, t in follows if kind == "topic" and t in tagged],
            author_followers=[u for u, kind, t in follows if kind == "author" and t == author],
        )
        notifications.notify_new_item(campus.connection, item)
        told = campus.connection.scalars(
            select(LibraryNotification.user_id).where(LibraryNotification.item_id == item.id)
        ).all()
        assert sorted(told) == sorted(expected)


def test_pages_reach_past_long_runs_of_rows_the_course_cannot_see(campus: Campus) -> None:
    """Chunks of the index are walked until a page is full, so many newer events (or
    notifications) about a hidden item never leave a page short or empty."""
    older = [campus.item("ada", title=f"Old {n}") for n in range(5)]
    for item in older:
        feed.record_published(campus.connection, item)
    ada = campus.person("ada")
    notifications.notify(
        campus.connection,
        [ada],
        context_id=campus.course,
        kind=NotificationKind.COMMENT,
        actor_id=campus.person("bob"),
        item_id=older[0].id,
    )
    gone = campus.item("bob", title="Hidden later")
    for _ in range(40):
        feed.record_event(
            campus.connection,
            context_id=campus.course,
            actor_id=campus.person("bob"),
            verb=FeedVerb.RATED,
            item_id=gone.id,
        )
        notifications.notify(
            campus.connection,
            [ada],
            context_id=campus.course,
            kind=NotificationKind.COMMENT,
            actor_id=campus.person("bob"),
            item_id=gone.id,
        )
    campus.connection.execute(
        update(LibraryItem).where(LibraryItem.id == gone.id).values(state="hidden")
    )
    first = feed.feed_page(campus.connection, context_id=campus.course, limit=3)
    assert [entry.item_title for entry in first.entries] == ["Old 4", "Old 3", "Old 2"]
    rest = feed.feed_page(
        campus.connection, context_id=campus.course, limit=3, before=first.next_before
    )
    assert [entry.item_title for entry in rest.entries] == ["Old 1", "Old 0"]
    assert rest.next_before is None
    inbox = notifications.inbox(campus.connection, user_id=ada, context_id=campus.course, limit=2)
    assert [notice.item_title for notice in inbox.notices] == ["Old 0"]
    assert (inbox.unread, inbox.next_before) == (1, None)
