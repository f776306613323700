"""The library index through real launches from lti1p3platform: what a learner and staff
see, search, filters, pages that keep the launch session, bad queries, and who may look
(no course, another course, another platform)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import Connection

from lti_tool.demo.web import register_platform
from lti_tool.launch_session import LaunchSession
from tests.factories.library import Library
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser
from tests.support.servers import running_lms

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class Visitor:
    """Someone launched into a course, reading the library with their launch session."""

    def __init__(self, world: LtiWorld, browser: Browser, token: str) -> None:
        self.world = world
        self.browser = browser
        self.token = token
        self.session: LaunchSession = world.services.launch_sessions.read(token)

    def get(self, path: str = "/", **params: Any) -> Any:
        query = urlencode({"ls": self.token, **params}, doseq=True)
        return self.browser.get(f"{self.world.tool_url}/app/library{path}?{query}")


def launched(world: LtiWorld, person: str, mutate: Any = None) -> Visitor:
    if mutate is None:
        browser, page = world.launch(person)
    else:
        browser = Browser()
        page = world.tampered_launch(person, mutate)
    assert page.status == 200, page.text
    return Visitor(world, browser, page.meta("peerlearn-session"))


def cards(text: str) -> list[str]:
    return [
        html.unescape(title)
        for title in re.findall(
            r'<article class="card library-card".*?<h2><a href="[^"]+">(.*?)</a></h2>', text, re.S
        )
    ]


def seed(connection: Connection, context_id: int, author_id: int) -> Library:
    library = Library(connection)
    library.platform_id = 0
    topic = library.topic(context_id, "Data <b>skills</b>")
    for n in range(25):
        item = library.item(
            context_id,
            f"Tip {n:02d}",
            author_id=author_id,
            kind="tip" if n % 2 else "article",
            summary="How <script>alert(1)</script> pivots work" if n == 24 else "",
            helpful_count=n % 5,
        )
        if n % 3 == 0:
            library.tag(item, topic)
    library.item(context_id, "Tip draft", author_id=author_id, state="draft")
    library.item(context_id, "Tip hidden", author_id=author_id, state="hidden")
    library.item(context_id, "Tip deleted", author_id=author_id, deleted_at=datetime.now(UTC))
    return library


@pytest.fixture
def learner(world: LtiWorld) -> Visitor:
    visitor = launched(world, "demo-learner-1")
    assert visitor.session.context_id is not None
    with world.services.engine.begin() as connection:
        seed(connection, visitor.session.context_id, visitor.session.user_id)
    return visitor


def test_a_learner_browses_searches_filters_and_pages(learner: Visitor) -> None:
    page = learner.get()
    assert page.status == 200, page.text
    assert 'data-total="25"' in page.text
    assert cards(page.text) == [f"Tip {n:02d}" for n in range(24, 4, -1)]
    # Everything the learner typed or wrote is escaped.
    assert "<script>alert(1)" not in page.text
    assert "How &lt;script&gt;alert(1)&lt;/script&gt; pivots work" in page.text
    assert "Data &lt;b&gt;skills&lt;/b&gt;" in page.text
    # The library nav of the layout links the pages that exist, with the session.
    assert f'href="/app/library/following?ls={learner.token}"' in page.text
    assert "Moderation" not in page.text

    next_link = re.search(r'<a rel="next" href="([^"]+)"', page.text)
    assert next_link
    query = parse_qs(urlsplit(html.unescape(next_link[1])).query)
    assert query == {"ls": [learner.token], "page": ["2"], "sort": ["newest"]}
    second = learner.browser.get(learner.world.tool_url + html.unescape(next_link[1]))
    assert cards(second.text) == [f"Tip {n:02d}" for n in range(4, -1, -1)]
    assert 'rel="next"' not in second.text
    assert 'rel="prev"' in second.text

    found = learner.get(q="tip 07")
    assert cards(found.text)[0] == "Tip 07"
    searched = learner.get(q="pivots", kind="article")
    assert cards(searched.text) == ["Tip 24"]
    assert cards(learner.get(kind="tip", sort="helpful", per_page="3").text) == [
        "Tip 19",
        "Tip 09",
        "Tip 23",
    ]
    topic_links = re.findall(r'class="library-card-topics".*?href="([^"]+)"', page.text, re.S)
    by_topic = learner.browser.get(learner.world.tool_url + html.unescape(topic_links[0]))
    assert cards(by_topic.text) == [f"Tip {n:02d}" for n in range(24, -1, -3)][:20]
    by_author = learner.get(author=str(learner.session.user_id))
    assert "any author" in by_author.text
    assert 'data-total="25"' in by_author.text


def test_the_following_view_lists_followed_authors(learner: Visitor) -> None:
    assert 'data-total="0"' in learner.get("/following").text
    assert "Nothing yet from the topics and people you follow." in learner.get("/following").text
    with learner.world.services.engine.begin() as connection:
        assert learner.session.context_id is not None
        Library(connection).follow(
            learner.session.context_id, learner.session.user_id, "author", learner.session.user_id
        )
    following = learner.get("/following", q="tip")
    assert following.status == 200
    assert 'data-total="25"' in following.text
    assert 'aria-current="page">Following' in following.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "random"}, "sort"),
        ({"page": "0"}, "page"),
        ({"page": "many"}, "page"),
        ({"per_page": "500"}, "per_page"),
        ({"kind": "poem"}, "kind"),
        ({"topic": "x"}, "topic"),
        ({"author": "-1"}, "author"),
        ({"q": "x" * 1001}, "q"),
    ],
)
def test_bad_queries_get_a_clear_page_in_the_frame(
    learner: Visitor, params: dict[str, str], field: str
) -> None:
    page = learner.get(**params)
    assert page.status == 400
    assert page.error_code() == "library_query_invalid"
    assert f"check {field}." in page.text


@pytest.mark.parametrize("weird", ['"', "NEAR(", "AND", "*", "ünï 😀", "\x00", "x" * 1000])
def test_weird_searches_answer_normally(learner: Visitor, weird: str) -> None:
    page = learner.get(q=weird)
    assert page.status == 200, page.text
    assert "\x00" not in page.text


def test_staff_see_the_same_listing(learner: Visitor) -> None:
    teacher = launched(learner.world, "demo-teacher")
    assert teacher.session.is_staff
    page = teacher.get()
    assert page.status == 200
    assert cards(page.text)[0] == "Tip 24"
    assert "Tip draft" not in page.text


def test_no_course_means_no_library(learner: Visitor) -> None:
    outside = launched(
        learner.world, "demo-learner-2", lambda claims: claims.pop(CLAIM + "context")
    )
    assert outside.session.context_id is None
    page = outside.get()
    assert page.status == 403
    assert page.error_code() == "library_needs_course"


def test_no_launch_session_no_library(learner: Visitor) -> None:
    page = Browser().get(learner.world.tool_url + "/app/library/")
    assert page.status == 401
    forged = Browser().get(learner.world.tool_url + "/app/library/?ls=forged")
    assert forged.status == 401


def test_another_course_sees_nothing_of_this_one(learner: Visitor) -> None:
    def other_course(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {**claims[CLAIM + "context"], "id": "another-course"}

    elsewhere = launched(learner.world, "demo-learner-2", other_course)
    assert elsewhere.session.context_id not in {None, learner.session.context_id}
    page = elsewhere.get(q="tip")
    assert page.status == 200
    assert 'data-total="0"' in page.text
    assert 'data-total="0"' in elsewhere.get().text


def test_another_platform_sees_nothing_and_cannot_borrow_the_course(
    learner: Visitor, tmp_path: Path
) -> None:
    world = learner.world
    with running_lms(
        tool_base_url=world.tool_url, key_dir=tmp_path, client_id="other-client"
    ) as other:
        register_platform(world.services.sessions, other.platform)
        browser = Browser()
        login = browser.get(other.platform.login_url("demo-learner-1"), follow=False)
        form = browser.get(login.response.headers["Location"])
        action, fields = form.form()
        launched_page = browser.post(action, fields)
        assert launched_page.status == 200, launched_page.text
        stranger = Visitor(world, browser, launched_page.meta("peerlearn-session"))
        assert stranger.session.platform_id != learner.session.platform_id
        assert 'data-total="0"' in stranger.get(q="tip").text
        # A session naming this course but another platform's person finds no course.
        sessions = world.services.launch_sessions
        borrowed = sessions.issue(
            LaunchSession(**{**stranger.session.__dict__, "context_id": learner.session.context_id})
        )
        page = Visitor(world, browser, borrowed).get()
        assert page.status == 404
        assert page.error_code() == "course_not_found"
