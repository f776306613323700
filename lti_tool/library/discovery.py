"""The course library's listing: search, filters, sorts, pages and the "following" view.

Listed are published, undeleted items of the course and items shared to it (``lib_share``).
Without search text a page reads the course's items in index order
(``ix_lib_item_course_listing``, ``..._helpful``, ``..._views``) and merges the few shared
items, so a page costs the same at 10,000 items as at 10. With search text the full-text
subquery (``lti_tool.library.search``) drives the query. Topics and author names of a page
come in one query each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    CompoundSelect,
    Connection,
    Float,
    Integer,
    Select,
    Subquery,
    and_,
    any_,
    cast,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import UnaryExpression

from lti_tool.domain.launch import PersonClaims, display_name
from lti_tool.library.search import exact_title, search_for
from lti_tool.persistence.library_models import (
    LibraryFollow,
    LibraryItem,
    LibraryItemTopic,
    LibraryShare,
    LibraryTopic,
)
from lti_tool.persistence.models import User

SORTS = ("newest", "helpful", "viewed", "relevance")
KINDS = ("article", "tip", "slides", "link", "video", "file")
MAX_PER_PAGE = 50


@dataclass(frozen=True)
class LibraryQuery:
    text: str = ""  # full-text when non-empty
    topic_ids: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()
    author_id: int | None = None
    following: bool = False  # only topics and authors the viewer follows
    sort: str = "newest"  # newest | helpful | viewed | relevance
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class TopicTag:
    id: int
    name: str
    slug: str


@dataclass(frozen=True)
class ItemCard:
    id: int
    key: str
    kind: str
    title: str
    summary: str
    author_id: int | None
    author_name: str
    published_at: datetime | None
    helpful_count: int
    rating_average: float | None
    view_count: int
    comment_count: int
    topics: tuple[TopicTag, ...]


@dataclass(frozen=True)
class LibraryPage:
    items: tuple[ItemCard, ...]
    page: int
    per_page: int
    total: int
    has_next: bool


_CARD_COLUMNS = (
    LibraryItem.id,
    LibraryItem.key,
    LibraryItem.kind,
    LibraryItem.title,
    LibraryItem.summary,
    LibraryItem.author_id,
    LibraryItem.published_at,
    LibraryItem.helpful_count,
    LibraryItem.rating_sum,
    LibraryItem.rating_count,
    LibraryItem.view_count,
    LibraryItem.comment_count,
)


def list_items(
    connection: Connection, *, context_id: int, viewer_id: int, query: LibraryQuery
) -> LibraryPage:
    """One page of the course library as ``viewer_id`` asked for it."""
    page = max(query.page, 1)
    per_page = min(max(query.per_page, 1), MAX_PER_PAGE)
    sqlite = connection.dialect.name == "sqlite"
    followed = (
        _followed_ids(connection, context_id, viewer_id) if query.following and not sqlite else None
    )
    wanted = _filters(context_id, viewer_id, query, sqlite=sqlite, followed=followed)
    if query.text.strip():
        rows, total = _search_page(
            connection,
            context_id=context_id,
            query=query,
            wanted=wanted,
            page=page,
            per_page=per_page,
        )
    else:
        rows, total = _listing_page(
            connection,
            context_id=context_id,
            sort=query.sort,
            wanted=wanted,
            page=page,
            per_page=per_page,
            followed=followed,
        )
    return LibraryPage(
        items=_cards(connection, rows),
        page=page,
        per_page=per_page,
        total=total,
        has_next=total > page * per_page,
    )


def _listed() -> ColumnElement[bool]:
    return and_(LibraryItem.state == "published", LibraryItem.deleted_at.is_(None))


def _filters(
    context_id: int,
    viewer_id: int,
    query: LibraryQuery,
    *,
    sqlite: bool,
    followed: list[int] | None = None,
) -> list[ColumnElement[bool]]:
    """The person's filters (what is listed at all is up to each query); ``followed``,
    when given, is the set :func:`_followed_by` would compute, read once already."""
    item_id = _not_driving() if sqlite else LibraryItem.id
    conditions: list[ColumnElement[bool]] = []
    if query.kinds:
        conditions.append(LibraryItem.kind.in_(query.kinds))
    if query.author_id is not None:
        conditions.append(LibraryItem.author_id == query.author_id)
    if query.topic_ids:
        conditions.append(
            item_id.in_(
                select(LibraryItemTopic.item_id).where(
                    LibraryItemTopic.topic_id.in_(query.topic_ids)
                )
            )
        )
    if query.following and followed is not None:
        conditions.append(LibraryItem.id == any_(literal(followed, ARRAY(Integer))))
    elif query.following:
        conditions.append(item_id.in_(_followed_by(context_id, viewer_id)))
    return conditions


def _not_driving() -> ColumnElement[int]:
    """``id + 0``: the same value, but no longer the key SQLite may drive the query by.
    Fetched by id, each row would be read to its ``deleted_at``, behind the body in
    overflow pages; the listing index checks it for free while reading in order.
    (PostgreSQL, which hashes the set, would instead fall back to comparing row by row.)"""
    return LibraryItem.id + 0


def _followed_by(context_id: int, viewer_id: int) -> CompoundSelect:
    """Ids of items by an author, or in a topic, that the viewer follows in this course.
    A set the database builds once from indexes (``ix_lib_item_author``, the topic index
    of ``lib_item_topic``), rather than a check per listed item."""
    follows = (LibraryFollow.context_id == context_id, LibraryFollow.user_id == viewer_id)
    authors = select(LibraryFollow.target_id).where(*follows, LibraryFollow.target_kind == "author")
    topics = select(LibraryFollow.target_id).where(*follows, LibraryFollow.target_kind == "topic")
    written = aliased(LibraryItem)
    return union_all(
        select(written.id).where(written.context_id == context_id, written.author_id.in_(authors)),
        select(LibraryShare.item_id)
        .join(written, written.id == LibraryShare.item_id)
        .where(LibraryShare.context_id == context_id, written.author_id.in_(authors)),
        select(LibraryItemTopic.item_id).where(LibraryItemTopic.topic_id.in_(topics)),
    )


def _followed_ids(connection: Connection, context_id: int, viewer_id: int) -> list[int]:
    """The followed set, read once per page (PostgreSQL). As a subquery it was built again
    for the page, the shared items and both counts, and the planner, guessing 200 ids for
    thousands, chose per-row lookups: 35-120 ms a page at 10,000 items. As an array of
    known length each use is one index probe per id."""
    return sorted(set(connection.execute(_followed_by(context_id, viewer_id)).scalars()))


def _rating_average(columns: Any) -> ColumnElement[float]:
    average = cast(columns.rating_sum, Float) / func.nullif(columns.rating_count, 0)
    return func.coalesce(average, 0.0)


def _order(sort: str, columns: Any) -> list[UnaryExpression[Any]]:
    """The sort's order over ``columns`` (the table's, or a subquery's with the same names).
    The leading column matches a course index, so the database reads items in order."""
    if sort == "helpful":
        return [
            columns.helpful_count.desc(),
            _rating_average(columns).desc(),
            columns.id.desc(),
        ]
    if sort == "viewed":
        return [columns.view_count.desc(), columns.id.desc()]
    return [columns.published_at.desc(), columns.id.desc()]


def _shared_to(context_id: int) -> Select[Any]:
    return select(LibraryShare.item_id).where(LibraryShare.context_id == context_id)


def _listing_page(
    connection: Connection,
    *,
    context_id: int,
    sort: str,
    wanted: list[ColumnElement[bool]],
    page: int,
    per_page: int,
    followed: list[int] | None = None,
) -> tuple[list[Any], int]:
    """Top ``page * per_page`` of the course (by index) and of the items shared to it,
    merged and cut to the page."""
    reach = page * per_page
    wanted = [_listed(), *wanted]
    own = (
        select(*_CARD_COLUMNS)
        .where(LibraryItem.context_id == context_id, *wanted)
        .order_by(*_order(sort, LibraryItem))
        .limit(reach)
    )
    own_count = select(func.count()).where(LibraryItem.context_id == context_id, *wanted)
    # Most courses have no shared items, some a few: read their ids first, so neither
    # database plans a join over every item to find them.
    shared_ids = list(
        connection.execute(
            select(LibraryShare.item_id).where(LibraryShare.context_id == context_id)
        ).scalars()
    )
    if followed is not None:
        # Given both id lists, PostgreSQL scanned every item for the shared ones (6 ms).
        shared_ids = sorted(set(shared_ids).intersection(followed))
    if not shared_ids:
        rows = connection.execute(own.limit(per_page).offset((page - 1) * per_page)).all()
        total = connection.execute(own_count).scalar_one()
        return list(rows), int(total)
    shared_here = (
        LibraryItem.id.in_(shared_ids),
        LibraryItem.context_id != context_id,
        *wanted,
    )
    shared = select(*_CARD_COLUMNS).where(*shared_here).order_by(*_order(sort, LibraryItem))
    merged = union_all(select(own.subquery()), select(shared.limit(reach).subquery())).subquery(
        "listed"
    )
    rows = connection.execute(
        select(merged)
        .order_by(*_order(sort, merged.c))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    shared_count = select(func.count()).where(*shared_here)
    total = connection.execute(
        select(own_count.scalar_subquery() + shared_count.scalar_subquery())
    ).scalar_one()
    return list(rows), int(total)


def _listed_ids(context_id: int) -> CompoundSelect:
    """Ids of the items listed in the course, read from indexes only (SQLite would
    otherwise read every matching row's ``deleted_at`` from its overflow pages)."""
    listed = aliased(LibraryItem)
    listed_here = (listed.state == "published", listed.deleted_at.is_(None))
    return union_all(
        select(listed.id).where(listed.context_id == context_id, *listed_here),
        select(listed.id)
        .join(LibraryShare, LibraryShare.item_id == listed.id)
        .where(LibraryShare.context_id == context_id, *listed_here),
    )


def _search_page(
    connection: Connection,
    *,
    context_id: int,
    query: LibraryQuery,
    wanted: list[ColumnElement[bool]],
    page: int,
    per_page: int,
) -> tuple[list[Any], int]:
    matched: Subquery | None = search_for(connection).matching(connection, query.text)
    if matched is None:
        return [], 0
    if query.sort == "relevance":
        order = [exact_title(query.text).desc(), matched.c.score.desc(), LibraryItem.id.desc()]
    else:
        order = _order(query.sort, LibraryItem)
    in_course: ColumnElement[bool]
    if connection.dialect.name == "sqlite":
        in_course = LibraryItem.id.in_(_listed_ids(context_id))
    else:
        # PostgreSQL reads deleted_at with the row (no overflow chain): one pass over
        # the matching rows beats building the set of listed ids first.
        in_course = and_(
            _listed(),
            or_(LibraryItem.context_id == context_id, LibraryItem.id.in_(_shared_to(context_id))),
        )
    # Rank with ids only (the sort carries no text), then read the page's cards.
    ranked = connection.execute(
        select(LibraryItem.id, func.count().over().label("total"))
        .join(matched, matched.c.item_id == LibraryItem.id)
        .where(in_course, *wanted)
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if ranked:
        ids = [row.id for row in ranked]
        cards = {
            row.id: row
            for row in connection.execute(select(*_CARD_COLUMNS).where(LibraryItem.id.in_(ids)))
        }
        return [cards[item_id] for item_id in ids], int(ranked[0].total)
    # A page past the end: count the matches on their own.
    total = connection.execute(
        select(func.count(literal(1)))
        .select_from(LibraryItem)
        .join(matched, matched.c.item_id == LibraryItem.id)
        .where(in_course, *wanted)
    ).scalar_one()
    return [], int(total)


def _cards(connection: Connection, rows: list[Any]) -> tuple[ItemCard, ...]:
    if not rows:
        return ()
    ids = [row.id for row in rows]
    topics: dict[int, list[TopicTag]] = defaultdict(list)
    for item_id, topic_id, name, slug in connection.execute(
        select(LibraryItemTopic.item_id, LibraryTopic.id, LibraryTopic.name, LibraryTopic.slug)
        .join(LibraryTopic, LibraryTopic.id == LibraryItemTopic.topic_id)
        .where(LibraryItemTopic.item_id.in_(ids))
        .order_by(LibraryTopic.name, LibraryTopic.id)
    ):
        topics[item_id].append(TopicTag(id=topic_id, name=name, slug=slug))
    authors = author_names(connection, {row.author_id for row in rows if row.author_id})
    return tuple(
        ItemCard(
            id=row.id,
            key=row.key,
            kind=row.kind,
            title=row.title,
            summary=row.summary,
            author_id=row.author_id,
            author_name=authors.get(row.author_id, "Former participant")
            if row.author_id
            else "Former participant",
            published_at=row.published_at,
            helpful_count=row.helpful_count,
            rating_average=row.rating_sum / row.rating_count if row.rating_count else None,
            view_count=row.view_count,
            comment_count=row.comment_count,
            topics=tuple(topics[row.id]),
        )
        for row in rows
    )


def author_names(connection: Connection, user_ids: set[int]) -> dict[int, str]:
    """How each person is addressed (their chosen name first), in one query."""
    if not user_ids:
        return {}
    rows = connection.execute(
        select(User.id, User.display_name, User.name, User.given_name, User.family_name).where(
            User.id.in_(user_ids)
        )
    )
    return {
        row.id: display_name(
            PersonClaims(
                sub="", name=row.name, given_name=row.given_name, family_name=row.family_name
            ),
            row.display_name,
        )
        for row in rows
    }
