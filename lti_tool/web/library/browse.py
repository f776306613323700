"""Browsing the course library: the index (search, filters by topic, type and author,
sorts, pages), the "following" view, and the course feed. Anyone launched into the
course may look; the listing (:mod:`lti_tool.library.discovery`) keeps to published
items of this course and those shared to it."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from lti_tool.library import browsing
from lti_tool.web.context import services
from lti_tool.web.library.context import open_listing, render, visit
from lti_tool.web.library.forms import PagingQuery, load_numbers

KIND_LABELS = {
    "article": "Article",
    "tip": "Tip",
    "slides": "Slides",
    "link": "Link",
    "video": "Video",
    "file": "File",
}
SORT_LABELS = {
    "relevance": "Best match",
    "newest": "Newest",
    "helpful": "Most helpful",
    "viewed": "Most viewed",
}


def _listing(*, following: bool) -> str:
    current, asked = open_listing()
    index = browsing.library_index(
        services().engine,
        current.viewer,
        platform_id=current.launch.platform_id,
        query=asked.query(following=following),
    )
    return render(
        "library/index.html",
        current,
        course_title=index.course.title,
        following=following,
        asked=asked,
        params=asked.link_params(),
        any_author={k: v for k, v in asked.link_params().items() if k != "author"},
        page=index.page,
        topics=index.topics,
        author_name=index.author_name,
        kind_labels=KIND_LABELS,
        sort_labels=SORT_LABELS,
    )


def index() -> str:
    return _listing(following=False)


def following() -> str:
    return _listing(following=True)


def feed() -> ResponseReturnValue:
    current = visit()
    before = load_numbers(PagingQuery())["before"]
    page = browsing.course_feed(services().engine, current.viewer, before=before)
    return render("library/feed.html", current, page=page)
