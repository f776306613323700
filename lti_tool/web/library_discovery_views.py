"""The course library's index: search, filters by topic, type and author, sorts, pages,
and the "following" view. Anyone launched into the course may look; the listing itself
(``lti_tool.library.discovery``) keeps to published items of this course and those shared
to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import Connection, select

from lti_tool.domain.errors import BadRequest, NotFound
from lti_tool.launch_session import LaunchSession
from lti_tool.library import access
from lti_tool.library.discovery import (
    KINDS,
    MAX_PER_PAGE,
    SORTS,
    LibraryQuery,
    author_names,
    list_items,
)
from lti_tool.library.search import clean_search_text
from lti_tool.persistence.library_models import LibraryTopic
from lti_tool.persistence.models import Context, Deployment
from lti_tool.web.context import current_launch, services

library_discovery = Blueprint("library_discovery", __name__, url_prefix="/app/library")

MAX_SEARCH = 1000
# Past this, a person refines the search rather than paging on.
MAX_PAGE = 500
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


class LibraryQuerySchema(Schema):
    """The index's query string; anything else (the ``ls`` token) is left alone."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=MAX_SEARCH))
    topic = fields.List(fields.Integer(validate=validate.Range(min=1)), load_default=list)
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=list)
    author = fields.Integer(load_default=None, validate=validate.Range(min=1))
    sort = fields.String(load_default=None, validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


_SCHEMA = LibraryQuerySchema()
_REPEATED = ("topic", "kind")


@dataclass(frozen=True)
class Asked:
    """What the person asked for, as read from the query string."""

    text: str
    topic_ids: tuple[int, ...]
    kinds: tuple[str, ...]
    author_id: int | None
    sort: str
    page: int
    per_page: int

    def query(self, *, following: bool) -> LibraryQuery:
        return LibraryQuery(
            text=self.text,
            topic_ids=self.topic_ids,
            kinds=self.kinds,
            author_id=self.author_id,
            following=following,
            sort=self.sort,
            page=self.page,
            per_page=self.per_page,
        )

    def link_params(self) -> dict[str, Any]:
        """The non-default choices, for links to other pages of the same listing."""
        params: dict[str, Any] = {}
        if self.text:
            params["q"] = self.text
        if self.topic_ids:
            params["topic"] = list(self.topic_ids)
        if self.kinds:
            params["kind"] = list(self.kinds)
        if self.author_id is not None:
            params["author"] = self.author_id
        params["sort"] = self.sort
        if self.per_page != LibraryQuery.per_page:
            params["per_page"] = self.per_page
        return params


def read_query(args: Any) -> Asked:
    """Validate the query string; empty fields (a form's "any") count as absent."""
    data: dict[str, Any] = {
        name: value for name, value in args.items() if value != "" and name not in _REPEATED
    }
    for name in _REPEATED:
        values = [value for value in args.getlist(name) if value != ""]
        if values:
            data[name] = values
    try:
        loaded = _SCHEMA.load(data)
    except ValidationError as error:
        fields_named = ", ".join(sorted(str(name) for name in error.messages))
        raise BadRequest(
            f"The library cannot show that listing: check {fields_named}.",
            code="library_query_invalid",
        ) from error
    text = clean_search_text(loaded["q"])
    sort = loaded["sort"] or ("relevance" if text else "newest")
    if sort == "relevance" and not text:
        sort = "newest"
    return Asked(
        text=text,
        topic_ids=tuple(dict.fromkeys(loaded["topic"])),
        kinds=tuple(dict.fromkeys(loaded["kind"])),
        author_id=loaded["author"],
        sort=sort,
        page=loaded["page"],
        per_page=loaded["per_page"],
    )


@dataclass(frozen=True)
class LibraryCourse:
    id: int
    title: str | None


def course_of(connection: Connection, launch: LaunchSession) -> LibraryCourse:
    """The launch's course, which must belong to the launch's platform."""
    context_id = access.course_of(launch)
    found = connection.execute(
        select(Context.id, Context.title)
        .join(Deployment, Deployment.id == Context.deployment_id)
        .where(Context.id == context_id, Deployment.platform_id == launch.platform_id)
    ).one_or_none()
    if found is None:
        raise NotFound("This course is no longer known here.", code="course_not_found")
    return LibraryCourse(id=found.id, title=found.title)


def _render(*, following: bool) -> str:
    launch, token = current_launch()
    asked = read_query(request.args)
    with services().engine.connect() as connection:
        course = course_of(connection, launch)
        page = list_items(
            connection,
            context_id=course.id,
            viewer_id=launch.user_id,
            query=asked.query(following=following),
        )
        topics = connection.execute(
            select(LibraryTopic.id, LibraryTopic.name)
            .where(LibraryTopic.context_id == course.id)
            .order_by(LibraryTopic.name)
        ).all()
        author = (
            author_names(connection, {asked.author_id}).get(asked.author_id)
            if asked.author_id is not None
            else None
        )
    return render_template(
        "library/index.html",
        token=token,
        is_staff=launch.is_staff,
        course_title=course.title,
        following=following,
        asked=asked,
        params=asked.link_params(),
        any_author={k: v for k, v in asked.link_params().items() if k != "author"},
        page=page,
        topics=topics,
        author_name=author,
        kind_labels=KIND_LABELS,
        sort_labels=SORT_LABELS,
    )


@library_discovery.get("/")
def index() -> str:
    return _render(following=False)


@library_discovery.get("/following")
def following() -> str:
    return _render(following=True)
