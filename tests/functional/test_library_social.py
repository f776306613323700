"""Social learning in the course library through real launches from lti1p3platform:
comments and replies, "this helped me" and ratings, follows, the feed, notifications and
topic requests; every endpoint refused to people outside the course or the platform; the
statements delivered to Ralph (the ``world`` fixture checks them after each test)."""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import insert, select

from lti_tool.demo.web import register_platform
from lti_tool.learning_records.records import TOPIC
from lti_tool.library import feed, notifications
from lti_tool.outbox import store as outbox
from lti_tool.persistence.library_models import (
    LibraryComment,
    LibraryItem,
    LibraryItemTopic,
    LibraryNotification,
    LibraryTopic,
    TopicRequest,
)
from lti_tool.persistence.models import Context, User
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser, Page
from tests.support.servers import running_lms

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AUTHOR = "demo-learner-1"  # Grace Hopper
PEER = "demo-learner-2"  # Alan Turing
OTHER = "demo-learner-3"  # Katherine Johnson
TEACHER = "demo-teacher"


class Library:
    """Everyone's launched sessions in the demo course, and items put straight into its
    library (rows built directly: social learning is exercised on its own)."""

    def __init__(self, world: LtiWorld) -> None:
        self.world = world
        self.sessions: dict[str, tuple[Browser, str]] = {}

    def open(self, person: str, *, as_name: str | None = None, mutate: Any = None) -> str:
        page = (
            self.world.tampered_launch(person, mutate) if mutate else self.world.launch(person)[1]
        )
        assert page.status == 200, page.text
        token = page.meta("peerlearn-session")
        self.sessions[as_name or person] = (Browser(), token)
        return token

    def url(self, path: str) -> str:
        return f"{self.world.tool_url}/app/library{path}"

    def get(self, who: str, path: str, **params: str) -> Page:
        browser, token = self.sessions[who]
        query = "&".join(f"{k}={v}" for k, v in {"ls": token, **params}.items())
        return browser.get(f"{self.url(path)}?{query}")

    def post(self, who: str, path: str, **fields: str) -> Page:
        browser, token = self.sessions[who]
        return browser.post(self.url(path), {"ls": token, **fields})

    def user_id(self, sub: str) -> int:
        with self.world.services.sessions() as session:
            return session.scalars(
                select(User.id).where(User.sub == sub, User.platform_id == self.world.platform_id)
            ).one()

    def course_id(self, person: str) -> int:
        return self.world.services.launch_sessions.read(self.sessions[person][1]).context_id or 0

    def topic(self, name: str) -> int:
        with self.world.services.sessions.begin() as session:
            return session.execute(
                insert(LibraryTopic)
                .values(context_id=self.course_id(TEACHER), name=name, slug=name.lower())
                .returning(LibraryTopic.id)
            ).scalar_one()

    def publish(self, author: str, title: str, *, topics: tuple[int, ...] = ()) -> LibraryItem:
        """An item as publishing leaves it, with the two calls it makes."""
        with self.world.services.engine.begin() as connection:
            item = connection.execute(
                insert(LibraryItem)
                .values(
                    key=str(uuid.uuid4()),
                    context_id=self.course_id(TEACHER),
                    author_id=self.user_id(author),
                    kind="article",
                    state="published",
                    title=title,
                    published_at=datetime.now(UTC),
                )
                .returning(LibraryItem)
            ).one()
            for topic in topics:
                connection.execute(insert(LibraryItemTopic).values(item_id=item.id, topic_id=topic))
            feed.record_published(connection, item)
            notifications.notify_new_item(connection, item)
        return item  # type: ignore[no-any-return]


def elsewhere(claims: dict[str, Any]) -> None:
    claims[CLAIM + "context"] = {"id": "another-course", "title": "Elsewhere"}
    claims[CLAIM + "resource_link"] = {"id": "elsewhere-link"}


@pytest.fixture
def library(world: LtiWorld) -> Library:
    library = Library(world)
    for person in (AUTHOR, PEER, OTHER, TEACHER):
        library.open(person)
    return library


@pytest.fixture
def foreign_world(world: LtiWorld, tmp_path: Path) -> Iterator[LtiWorld]:
    """A second LMS (another platform) registered with the same Peerlearn."""
    with running_lms(tool_base_url=world.tool_url, key_dir=tmp_path) as lms:
        platform_id = register_platform(world.services.sessions, lms.platform, name="Other")
        yield LtiWorld(tool_url=world.tool_url, app=world.app, lms=lms, platform_id=platform_id)


def verbs(world: LtiWorld) -> Counter[str]:
    with world.services.engine.connect() as connection:
        return Counter(
            json.loads(payload)["verb"]["display"]["en-US"]
            for payload in outbox.payloads(connection, topic=TOPIC)
        )


def comment_ids(page: Page) -> list[int]:
    return [int(found) for found in re.findall(r'data-comment="(\d+)"', page.text)]


def test_discussion_votes_follows_feed_and_notifications(library: Library) -> None:
    python = library.topic("Python")
    item = library.publish(AUTHOR, "Decorators <b>explained</b>", topics=(python,))
    path = f"/items/{item.key}"

    page = library.get(PEER, path)
    assert page.status == 200, page.text
    assert "Decorators &lt;b&gt;explained&lt;/b&gt;" in page.text
    assert 'id="no-comments"' in page.text
    commented = library.post(
        PEER, f"{path}/comments", body="Nice **one** <img src=x onerror=alert(1)>"
    )
    assert commented.status == 200, commented.text
    [first] = comment_ids(commented)
    assert "<strong>one</strong>" in commented.text
    assert "<img" not in commented.text  # shown as text, never as markup
    replied = library.post(AUTHOR, f"{path}/comments", body="Thanks!", reply_to=str(first))
    [_root, reply] = comment_ids(replied)
    deeper = library.post(OTHER, f"{path}/comments", body="Me too", reply_to=str(reply))
    assert f'data-parent="{first}"' in deeper.text  # joins the thread root
    assert 'id="comment-count">3 comments' in deeper.text
    assert library.post(PEER, f"/comments/{first}/edit", body="Edited words").status == 200
    assert library.post(AUTHOR, f"/comments/{first}/edit", body="Hijack").status == 403
    assert library.post(PEER, f"{path}/comments", body=" ").status == 400
    assert library.post(PEER, f"{path}/comments", body="x" * 5001).status == 400

    helped = library.post(PEER, f"{path}/helpful")
    assert 'id="helpful-count">1<' in helped.text
    assert 'aria-pressed="true" id="helpful-button"' in helped.text
    assert 'id="helpful-count">2<' in library.post(OTHER, f"{path}/helpful").text
    assert 'id="helpful-count">1<' in library.post(OTHER, f"{path}/helpful").text  # undo
    library.post(PEER, f"{path}/rating", rating="5")
    rated = library.post(OTHER, f"{path}/rating", rating="2")
    assert 'id="rating-average">3.5<' in rated.text
    assert library.post(OTHER, f"{path}/rating", rating="9").status == 400
    assert library.post(AUTHOR, f"{path}/helpful").status == 403  # not on one's own item
    with library.world.services.sessions() as session:
        row = session.get(LibraryItem, item.id)
        assert row is not None
        assert (row.helpful_count, row.rating_sum, row.rating_count, row.comment_count) == (
            1,
            7,
            2,
            3,
        )

    recorded = verbs(library.world)
    assert [recorded[verb] for verb in ("commented", "replied", "liked", "rated")] == [1, 2, 2, 2]


def test_follows_notifications_and_the_feed(library: Library) -> None:
    python = library.topic("Python")
    item = library.publish(AUTHOR, "Decorators", topics=(python,))
    path = f"/items/{item.key}"
    [first] = comment_ids(library.post(PEER, f"{path}/comments", body="Nice one"))
    replied = library.post(AUTHOR, f"{path}/comments", body="Thanks!", reply_to=str(first))
    [_root, reply] = comment_ids(replied)
    library.post(OTHER, f"{path}/comments", body="Me too", reply_to=str(reply))
    library.post(PEER, f"/comments/{first}/edit", body="Edited words")
    library.post(PEER, f"{path}/rating", rating="5")
    library.post(OTHER, f"{path}/rating", rating="2")
    library.post(OTHER, f"{path}/rating", rating="3")  # a change is not news again

    # Following the topic and the author: one notification for the next item.
    author_id = library.user_id(AUTHOR)
    library.post(OTHER, "/follows", kind="topic", target=str(python), item=item.key)
    followed = library.post(OTHER, "/follows", kind="author", target=str(author_id), item=item.key)
    assert "Following Grace Hopper" in followed.text
    assert "Following #Python" in followed.text
    second = library.publish(AUTHOR, "Generators", topics=(python,))

    inbox = library.get(OTHER, "/notifications")
    assert inbox.text.count('data-kind="new_item"') == 1
    assert 'data-kind="reply"' not in inbox.text
    mine = library.get(AUTHOR, "/notifications")
    assert mine.text.count('data-kind="comment"') == 1  # Alan commented on her item
    assert mine.text.count('data-kind="reply"') == 1  # Katherine answered her reply
    assert 'data-kind="new_item"' not in mine.text  # never told of her own item
    assert 'data-unread="2"' in mine.text
    peer = library.get(PEER, "/notifications")
    assert peer.text.count('data-kind="reply"') == 1  # Grace replied to Alan
    unread = library.get(OTHER, "/notifications/unread.json")
    assert json.loads(unread.text) == {"unread": 1}
    # Every library page's navigation shows the count, computed on the server.
    assert 'id="unread-count" aria-label="1 unread">1<' in library.get(OTHER, "/feed").text
    notice = re.search(r'data-notification="(\d+)" data-kind="new_item"', inbox.text)
    assert notice is not None
    opened = library.post(OTHER, f"/notifications/{notice[1]}/read", open=second.key)
    assert "Generators" in opened.text
    assert json.loads(library.get(OTHER, "/notifications/unread.json").text) == {"unread": 0}
    assert 'id="unread-count"' not in library.get(OTHER, "/feed").text
    assert library.post(PEER, f"/notifications/{notice[1]}/read").status == 404  # not his
    assert 'data-unread="0"' in library.post(AUTHOR, "/notifications/read-all").text

    stream = library.get(TEACHER, "/feed")
    assert re.findall(r'data-verb="(\w+)"', stream.text) == [
        "published",
        "rated",
        "rated",
        "commented",
        "commented",
        "commented",
        "published",
    ]
    assert "Edited words" in stream.text
    # Deleting a comment takes it out of the feed; its replies stay under a placeholder.
    gone = library.post(PEER, f"/comments/{first}/delete")
    assert "This comment was deleted." in gone.text
    assert library.get(TEACHER, "/feed").text.count('data-verb="commented"') == 2
    unfollowed = library.post(
        OTHER, "/follows", kind="author", target=str(author_id), item=item.key, action="unfollow"
    )
    assert "Follow Grace Hopper" in unfollowed.text


def test_topic_requests_from_proposal_to_answer(library: Library) -> None:
    asked = library.post(PEER, "/requests", title="Async Python", description="Event loops?")
    assert asked.status == 200, asked.text
    library.post(OTHER, "/requests", title="SQL <script>alert(1)</script>")
    with library.world.services.sessions() as session:
        async_id, sql_id = session.scalars(select(TopicRequest.id).order_by(TopicRequest.id))
    assert library.post(OTHER, f"/requests/{async_id}/vote").status == 200
    library.post(OTHER, f"/requests/{async_id}/vote")  # once only
    board = library.get(AUTHOR, "/requests")
    assert re.findall(r'data-request="(\d+)" data-state="open" data-votes="(\d+)"', board.text) == [
        (str(async_id), "2"),
        (str(sql_id), "1"),
    ]
    assert "<script>alert" not in board.text
    assert library.post(AUTHOR, f"/requests/{async_id}/volunteer").status == 200
    assert library.post(OTHER, f"/requests/{async_id}/volunteer").status == 409
    answer = library.publish(AUTHOR, "Async Python in ten minutes")
    # Only the item's author (or staff) links it.
    assert library.post(OTHER, f"/requests/{async_id}/answer", item=answer.key).status == 403
    done = library.post(AUTHOR, f"/requests/{async_id}/answer", item=answer.key)
    assert done.status == 200, done.text
    assert "Answered by" in done.text
    assert "Async Python in ten minutes" in done.text
    for person in (PEER, OTHER):
        assert 'data-kind="request_answered"' in library.get(person, "/notifications").text
    assert 'data-verb="answered"' in library.get(PEER, "/feed").text
    # Staff see the demand ranked, hide and restore; learners cannot hide.
    assert library.post(PEER, f"/requests/{sql_id}/hide").status == 403
    staff_board = library.post(TEACHER, f"/requests/{sql_id}/hide")
    assert f'data-request="{sql_id}" data-state="hidden"' in staff_board.text
    assert "#1</span>" in staff_board.text
    assert f'data-request="{sql_id}"' not in library.get(PEER, "/requests").text
    assert library.post(PEER, f"/requests/{sql_id}/vote").status == 404
    library.post(TEACHER, f"/requests/{sql_id}/restore")
    assert f'data-request="{sql_id}" data-state="open"' in library.get(PEER, "/requests").text


def test_every_endpoint_authorises_by_course_platform_role_and_authorship(
    library: Library, foreign_world: LtiWorld
) -> None:
    python = library.topic("Python")
    item = library.publish(AUTHOR, "Only for this course", topics=(python,))
    draft_key = str(uuid.uuid4())
    with library.world.services.engine.begin() as connection:
        connection.execute(
            insert(LibraryItem).values(
                key=draft_key,
                context_id=library.course_id(TEACHER),
                author_id=library.user_id(AUTHOR),
                kind="tip",
                state="draft",
                title="A draft",
            )
        )
    library.post(PEER, f"/items/{item.key}/comments", body="Mine")
    with library.world.services.sessions() as session:
        comment = session.scalars(select(LibraryComment.id)).one()
    library.post(PEER, "/requests", title="Testing")
    with library.world.services.sessions() as session:
        request_id = session.scalars(select(TopicRequest.id)).one()
        notice = session.scalars(select(LibraryNotification.id)).one()  # Grace's

    library.open(TEACHER, mutate=elsewhere, as_name="other-course")
    library.sessions["other-platform"] = (
        Browser(),
        foreign_world.launch(PEER)[1].meta("peerlearn-session"),
    )
    with library.world.services.sessions() as session:
        assert session.scalar(select(Context.id).where(Context.lti_id == "another-course"))

    item_path = f"/items/{item.key}"
    author_id = str(library.user_id(AUTHOR))
    # (method, path, fields, {who: status}); anyone not named gets the default.
    outsiders = {"other-course": 404, "other-platform": 404}
    matrix: list[tuple[str, str, dict[str, str], dict[str, int]]] = [
        ("GET", f"{item_path}/discussion", {}, {PEER: 200, AUTHOR: 200, TEACHER: 200}),
        # The old discussion address leads to the item page (staff see drafts there).
        ("GET", f"/items/{draft_key}/discussion", {}, {PEER: 404, TEACHER: 200}),
        ("POST", f"/items/{draft_key}/comments", {"body": "x"}, {PEER: 404}),
        ("POST", f"/items/{draft_key}/helpful", {}, {PEER: 404}),
        ("POST", f"{item_path}/comments", {"body": "Hi"}, {PEER: 200, AUTHOR: 200, TEACHER: 200}),
        ("POST", f"{item_path}/helpful", {}, {PEER: 200, AUTHOR: 403, TEACHER: 200}),
        ("POST", f"{item_path}/rating", {"rating": "4"}, {PEER: 200, AUTHOR: 403, TEACHER: 200}),
        (
            "POST",
            f"/comments/{comment}/edit",
            {"body": "e"},
            {PEER: 200, AUTHOR: 403, TEACHER: 403},
        ),
        (
            "POST",
            "/follows",
            {"kind": "author", "target": author_id},
            {PEER: 200, AUTHOR: 400, TEACHER: 200},
        ),
        ("POST", "/follows", {"kind": "topic", "target": str(python)}, {PEER: 200, TEACHER: 200}),
        ("POST", f"/requests/{request_id}/vote", {}, {OTHER: 200, TEACHER: 200}),
        ("POST", f"/requests/{request_id}/hide", {}, {PEER: 403, AUTHOR: 403}),
        ("POST", f"/requests/{request_id}/restore", {}, {PEER: 403, TEACHER: 200}),
        ("POST", f"/requests/{request_id}/volunteer", {}, {AUTHOR: 200}),
        ("POST", f"/requests/{request_id}/answer", {"item": item.key}, {TEACHER: 200}),
        ("POST", f"/notifications/{notice}/read", {}, {TEACHER: 404, PEER: 404, AUTHOR: 200}),
        ("POST", f"/comments/{comment}/delete", {}, {AUTHOR: 403, TEACHER: 403, PEER: 200}),
    ]
    for method, path, fields, expected in matrix:
        for who, status in {**expected, **outsiders}.items():
            answer = (
                library.post(who, path, **fields) if method == "POST" else library.get(who, path)
            )
            assert answer.status == status, (who, method, path, answer.text[:400])
    # Pages open to everyone show only their own course: nothing leaks.
    for who in ("other-course", "other-platform"):
        for page in ("/feed", "/notifications", "/requests"):
            answer = library.get(who, page)
            assert answer.status == 200, (who, page)
            assert "Only for this course" not in answer.text
            assert "Testing" not in answer.text
    # Without a session every endpoint refuses.
    bare = Browser()
    assert bare.get(library.url("/feed")).status == 401
    assert bare.post(library.url(f"{item_path}/comments"), {"body": "x"}).status == 401


def test_bad_input_is_a_clear_error_never_a_crash(library: Library) -> None:
    item = library.publish(AUTHOR, "Numbers")
    other = library.publish(AUTHOR, "Other item")
    [theirs] = comment_ids(library.post(PEER, f"/items/{other.key}/comments", body="there"))
    huge = "99999999999999999999"
    cases = [
        ("GET", "/feed", {"before": huge}, 400),
        ("GET", "/feed", {"before": "x"}, 400),
        ("GET", "/notifications", {"before": "-1"}, 400),
        ("POST", f"/items/{item.key}/comments", {"body": "hi", "reply_to": huge}, 400),
        ("POST", f"/items/{item.key}/comments", {"body": "hi", "reply_to": str(theirs)}, 404),
        ("POST", f"/items/{item.key}/rating", {"rating": "five"}, 400),
        ("POST", "/follows", {"kind": "topic", "target": huge}, 400),
        ("POST", "/follows", {"kind": "course", "target": "1"}, 400),
        ("POST", "/follows", {"kind": "topic"}, 400),
        ("POST", f"/comments/{huge}/edit", {"body": "x"}, 404),
        ("POST", f"/notifications/{huge}/read", {}, 404),
        ("POST", f"/requests/{huge}/vote", {}, 404),
        ("POST", "/requests/1/answer", {"item": "no-such-item"}, 404),
        ("POST", "/requests", {"title": "   "}, 400),
        ("POST", "/requests", {"title": "x" * 201}, 400),
        ("GET", "/items/not-a-key/discussion", {}, 404),
    ]
    for method, path, fields, status in cases:
        answer = (
            library.post(PEER, path, **fields)
            if method == "POST"
            else library.get(PEER, path, **fields)
        )
        assert answer.status == status, (path, fields, answer.text[:300])
        assert answer.error_code(), (path, answer.text[:300])
    with library.world.services.sessions() as session:
        assert session.scalars(select(LibraryComment.id)).all() == [theirs]
    problem = requests.get(
        library.url("/feed"),
        params={"ls": library.sessions[PEER][1], "before": huge},
        headers={"Accept": "application/json"},
        timeout=10,
    )
    assert problem.status_code == 400
    assert problem.headers["Content-Type"].startswith("application/problem+json")
