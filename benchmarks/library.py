"""The course library through the real app: library page, search and feed latency.

A course with --items items (and a neighbour course whose items stay out, some shared in),
--comments comments, --learners learners, topics and follows, on SQLite and PostgreSQL.
Each page is requested --requests times through the Flask test client with a launch
session, as a browser in the LMS frame asks for it (the whole request: session check,
course check, queries, template), and p50/p99 are printed.

* Library page: pages 1-5 of newest / most helpful / most viewed, a topic filter, the
  "following" view.
* Search: one to three words drawn as people type them (common words match thousands of
  items), best match first, then page 2 and a kind filter.
* Feed: ``library.feed``, the course's activity feed.

Baseline, in the same run: the same pages with a naive listing swapped in: ``LIKE
'%word%'`` over title, summary and body, every matching row loaded and sliced in Python,
then topics and author looked up card by card.

Targets: p99 under 50 ms for the library page and the feed, under 100 ms for search.
The first row, the app's home page (one query), shows what any request costs on the
machine at the moment: the CPUs are shared.

    python benchmarks/library.py [--items 10000] [--comments 50000] [--learners 1000]
        [--requests 200] [--databases sqlite postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, url_for  # noqa: E402
from sqlalchemy import Connection, create_engine, insert, or_, select, text  # noqa: E402

from config import Environment, Settings  # noqa: E402
from lti_tool import create_app  # noqa: E402
from lti_tool.keys import KeyRing  # noqa: E402
from lti_tool.launch_session import LaunchSession  # noqa: E402
from lti_tool.library import browsing, discovery  # noqa: E402
from lti_tool.persistence.library_models import (  # noqa: E402
    LibraryComment,
    LibraryEvent,
    LibraryFollow,
    LibraryItem,
    LibraryItemTopic,
    LibraryShare,
    LibraryTopic,
)
from lti_tool.persistence.migrate import upgrade  # noqa: E402
from lti_tool.persistence.models import Context, Deployment, Platform, User  # noqa: E402

POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KINDS = ("article", "tip", "slides", "link", "video", "file")
START = datetime(2026, 1, 1, tzinfo=UTC)
_RANDOM = random.Random(6)
# A vocabulary with a long tail: a few words are in most items, most words in few.
VOCABULARY = [
    "learning", "data", "team", "feedback", "review", "python", "project", "meeting",
    "design", "customer", "sales", "safety", "onboarding", "pivot", "spreadsheet",
    "writing", "coaching", "kanban", "budget", "interview", "leadership", "security",
] + [f"{a}{b}" for a in ("al", "ber", "cor", "dun", "esk", "fal", "gor", "hin", "ir", "jor")
     for b in ("am", "ent", "ix", "ond", "ula", "ver", "yst", "ack", "ine", "orb")]  # fmt: skip
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCABULARY))]


def words(count: int) -> str:
    return " ".join(_RANDOM.choices(VOCABULARY, WEIGHTS, k=count))


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{work / 'library.sqlite3'}"
        return
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"peerlearn_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def returning_id(connection: Connection, table: Any, **values: Any) -> int:
    return int(connection.execute(insert(table).values(**values).returning(table.id)).scalar_one())


def seed(connection: Connection, args: argparse.Namespace) -> LaunchSession:
    """The course, its people and content; returns a learner's launch session."""
    platform = returning_id(
        connection,
        Platform,
        issuer="https://lms.example",
        client_id="bench",
        auth_login_url="x",
        auth_token_url="x",
        jwks_url="x",
    )
    deployment = returning_id(connection, Deployment, platform_id=platform, deployment_id="d")
    course, neighbour = (
        returning_id(connection, Context, deployment_id=deployment, lti_id=name, title=name)
        for name in ("course", "neighbour")
    )
    connection.execute(
        insert(User),
        [{"platform_id": platform, "sub": f"learner-{n}", "name": f"Learner {n}"}
         for n in range(args.learners)],
    )  # fmt: skip
    people = list(connection.execute(select(User.id).order_by(User.id)).scalars())
    topics = [
        returning_id(connection, LibraryTopic, context_id=course, name=word, slug=word)
        for word in VOCABULARY[:30]
    ]
    rows = []
    for n in range(args.items + args.items // 5):
        published = START + timedelta(minutes=n * 7)
        rows.append(
            {
                "key": str(uuid.uuid4()),
                "context_id": course if n < args.items else neighbour,
                "author_id": _RANDOM.choice(people),
                "kind": _RANDOM.choice(KINDS),
                "state": "published" if n % 50 else _RANDOM.choice(("draft", "hidden")),
                "title": words(_RANDOM.randint(3, 7)).capitalize(),
                "summary": words(20),
                "body_markdown": words(_RANDOM.randint(40, 200)),
                "created_at": published,
                "updated_at": published,
                "published_at": published,
                "view_count": _RANDOM.randint(0, 500),
                "helpful_count": _RANDOM.randint(0, 40),
                "rating_sum": _RANDOM.randint(0, 50),
                "rating_count": 10,
            }
        )
    connection.execute(insert(LibraryItem), rows)
    items = list(
        connection.execute(
            select(LibraryItem.id).where(LibraryItem.context_id == course).order_by(LibraryItem.id)
        ).scalars()
    )
    shared = connection.execute(
        select(LibraryItem.id).where(LibraryItem.context_id == neighbour).limit(200)
    ).scalars()
    connection.execute(
        insert(LibraryShare), [{"item_id": item, "context_id": course} for item in shared]
    )
    connection.execute(
        insert(LibraryItemTopic),
        [{"item_id": item, "topic_id": topic} for item in items
         for topic in set(_RANDOM.choices(topics, k=2))],
    )  # fmt: skip
    comments = [
        {
            "item_id": _RANDOM.choice(items),
            "author_id": _RANDOM.choice(people),
            "body_markdown": words(30),
            "body_html": "<p>" + words(30) + "</p>",
        }
        for _ in range(args.comments)
    ]
    connection.execute(insert(LibraryComment), comments)
    events = [
        {"context_id": course, "actor_id": _RANDOM.choice(people), "verb": "published",
         "item_id": item} for item in items
    ] + [
        {"context_id": course, "actor_id": row["author_id"], "verb": "commented",
         "item_id": row["item_id"]} for row in comments
    ]  # fmt: skip
    connection.execute(insert(LibraryEvent), events)
    viewer = people[0]
    follows = [("topic", topic) for topic in topics[5:10]] + [
        ("author", person) for person in people[1:11]
    ]
    connection.execute(
        insert(LibraryFollow),
        [{"context_id": course, "user_id": viewer, "target_kind": kind, "target_id": target}
         for kind, target in follows],
    )  # fmt: skip
    return LaunchSession(
        user_id=viewer,
        platform_id=platform,
        context_id=course,
        resource_link_id=None,
        course_role="learner",
        launch_id="benchmark",
        issued_at=int(time.time()),
    )


def naive_list_items(
    connection: Connection, *, context_id: int, viewer_id: int, query: discovery.LibraryQuery
) -> discovery.LibraryPage:
    """A first version of the listing: LIKE search, every match loaded, per-card lookups."""
    statement = select(LibraryItem).where(
        or_(
            LibraryItem.context_id == context_id,
            LibraryItem.id.in_(
                select(LibraryShare.item_id).where(LibraryShare.context_id == context_id)
            ),
        ),
        LibraryItem.state == "published",
        LibraryItem.deleted_at.is_(None),
    )
    for word in query.text.split():
        pattern = f"%{word}%"
        statement = statement.where(
            or_(
                LibraryItem.title.ilike(pattern),
                LibraryItem.summary.ilike(pattern),
                LibraryItem.body_markdown.ilike(pattern),
            )
        )
    if query.kinds:
        statement = statement.where(LibraryItem.kind.in_(query.kinds))
    if query.topic_ids:
        statement = statement.where(
            LibraryItem.id.in_(
                select(LibraryItemTopic.item_id).where(
                    LibraryItemTopic.topic_id.in_(query.topic_ids)
                )
            )
        )
    if query.following:
        followed = select(LibraryFollow.target_id).where(
            LibraryFollow.context_id == context_id, LibraryFollow.user_id == viewer_id
        )
        statement = statement.where(
            or_(
                LibraryItem.author_id.in_(followed.where(LibraryFollow.target_kind == "author")),
                LibraryItem.id.in_(
                    select(LibraryItemTopic.item_id).where(
                        LibraryItemTopic.topic_id.in_(
                            followed.where(LibraryFollow.target_kind == "topic")
                        )
                    )
                ),
            )
        )
    order = {
        "helpful": LibraryItem.helpful_count.desc(),
        "viewed": LibraryItem.view_count.desc(),
    }.get(query.sort, LibraryItem.published_at.desc())
    everything = connection.execute(statement.order_by(order, LibraryItem.id.desc())).all()
    start = (query.page - 1) * query.per_page
    cards = []
    for item in everything[start : start + query.per_page]:
        tags = connection.execute(
            select(LibraryTopic.id, LibraryTopic.name, LibraryTopic.slug)
            .join(LibraryItemTopic, LibraryItemTopic.topic_id == LibraryTopic.id)
            .where(LibraryItemTopic.item_id == item.id)
        ).all()
        author = connection.execute(select(User.name).where(User.id == item.author_id)).scalar()
        cards.append(
            discovery.ItemCard(
                id=item.id, key=item.key, kind=item.kind, title=item.title,
                summary=item.summary, author_id=item.author_id, author_name=author or "",
                published_at=item.published_at, helpful_count=item.helpful_count,
                rating_average=None, view_count=item.view_count,
                comment_count=item.comment_count,
                topics=tuple(discovery.TopicTag(*tag) for tag in tags),
            )
        )  # fmt: skip
    return discovery.LibraryPage(
        items=tuple(cards),
        page=query.page,
        per_page=query.per_page,
        total=len(everything),
        has_next=len(everything) > start + query.per_page,
    )


def library_paths(count: int, topic_ids: list[int]) -> list[str]:
    sorts = ("newest", "helpful", "viewed")
    paths = []
    for n in range(count):
        params: dict[str, Any] = {"sort": sorts[n % 3], "page": n % 5 + 1}
        if n % 7 == 0:
            params["topic"] = _RANDOM.choice(topic_ids)
        page = "/app/library/following?" if n % 11 == 0 else "/app/library/?"
        paths.append(page + urlencode(params))
    return paths


def search_paths(count: int) -> list[str]:
    paths = []
    for n in range(count):
        params: dict[str, Any] = {"q": words(_RANDOM.randint(1, 3))}
        if n % 4 == 1:
            params["page"] = 2
        if n % 4 == 3:
            params["kind"] = _RANDOM.choice(KINDS)
        paths.append("/app/library/?" + urlencode(params))
    return paths


def latencies(app: Flask, token: str, paths: list[str]) -> list[float]:
    client = app.test_client()
    for path in paths[:5]:  # warm caches, as a running server has them
        client.get(f"{path}&ls={token}")
    timings = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(f"{path}&ls={token}")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def row(database_name: str, page: str, variant: str, timings: list[float], target: float) -> str:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, round(len(ordered) * 0.99))]
    verdict = "ok" if p99 < target else f"over {target:.0f} ms"
    return f"{database_name:<9} {page:<13} {variant:<9} {p50:>8.1f} {p99:>8.1f}   {verdict}"


@contextmanager
def naive_listing() -> Iterator[None]:
    chosen: Callable[..., discovery.LibraryPage] = browsing.list_items
    browsing.list_items = naive_list_items  # type: ignore[assignment]
    try:
        yield
    finally:
        browsing.list_items = chosen  # type: ignore[assignment]


def measure(kind: str, args: argparse.Namespace) -> list[str]:
    with tempfile.TemporaryDirectory() as folder, database(kind, Path(folder)) as url:
        work = Path(folder)
        upgrade(url)
        settings = Settings(
            env=Environment.DEVELOPMENT,
            database_url=url,
            secret_key="benchmark-secret-" + "x" * 32,
            base_url="http://127.0.0.1:5000",
            keys_dir=work / "keys",
            instance_dir=work / "instance",
        )
        KeyRing(settings.keys_dir).generate()
        app = create_app(settings)
        services = app.extensions["peerlearn"]
        started = time.perf_counter()
        with services.engine.begin() as connection:
            launch = seed(connection, args)
        # A live database has been vacuumed and analysed by now (autovacuum on PostgreSQL:
        # its visibility map lets counts read the index alone).
        with services.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(text("VACUUM ANALYZE" if kind == "postgres" else "ANALYZE"))
        with services.engine.begin() as connection:
            topic_ids = list(connection.execute(select(LibraryTopic.id)).scalars())
        print(f"{kind}: seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        token = services.launch_sessions.issue(launch)
        pages = {
            "library page": (library_paths(args.requests, topic_ids), 50.0),
            "search": (search_paths(args.requests), 100.0),
        }
        # The floor on this machine right now: the app's smallest launched page.
        lines = [row(kind, "home (floor)", "-", latencies(app, token, ["/app?"] * 50), 50.0)]
        for page, (paths, target) in pages.items():
            lines.append(row(kind, page, "peerlearn", latencies(app, token, paths), target))
            with naive_listing():
                baseline = latencies(app, token, paths[: max(20, args.requests // 5)])
            lines.append(row(kind, page, "naive", baseline, target))
        with app.test_request_context():
            feed = url_for("library.feed")
        paths = [f"{feed}?"] * args.requests
        lines.append(row(kind, "feed", "peerlearn", latencies(app, token, paths), 50.0))
        services.close()
        return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--learners", type=int, default=1_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    print(
        f"\nLibrary: {args.items:,} items, {args.comments:,} comments, {args.learners:,} "
        f"learners; {args.requests} requests per page (naive: a fifth); ms per request\n"
    )
    print(f"{'database':<9} {'page':<13} {'listing':<9} {'p50':>8} {'p99':>8}   target")
    for kind in args.databases:
        for line in measure(kind, args):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
