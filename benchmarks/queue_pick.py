"""The continuous queue's next-submission pick on PostgreSQL, with 10,000 submissions.

A course in mid-review: every submission has 0-3 completed reviews and some live or
expired leases (about 25,000 allocations). For random reviewers, the time of Peerlearn's
pick (one query, ``lti_tool.peer_review.queue.pick_in_database``) beside the baseline of
loading every submission's state and applying the domain rule in Python. Nothing is
written by the picks, so every reviewer sees the same course. Target: p99 under 10 ms.

Used by ``benchmarks/allocation.py`` (section "Queue pick"), or on its own:

    python benchmarks/queue_pick.py [--postgres-url URL] [--submissions 10000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, create_engine, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lti_tool.domain.peer_review.model import GroupPolicy, ParticipantId, SubmissionId  # noqa: E402
from lti_tool.domain.peer_review.review_queue import pick_next  # noqa: E402
from lti_tool.peer_review import queue  # noqa: E402
from lti_tool.peer_review.tally import recount  # noqa: E402
from lti_tool.persistence.db import make_engine  # noqa: E402
from lti_tool.persistence.migrate import upgrade  # noqa: E402
from lti_tool.persistence.models import Activity, Context, Deployment, Platform, User  # noqa: E402
from lti_tool.persistence.peer_review_models import Allocation, Submission  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def populate(connection: Connection, size: int, rng: random.Random) -> tuple[int, list[int]]:
    platform = connection.execute(
        insert(Platform)
        .values(
            issuer="https://lms",
            client_id="c",
            auth_login_url="x",
            auth_token_url="x",
            jwks_url="x",
        )
        .returning(Platform.id)
    ).scalar_one()
    deployment = connection.execute(
        insert(Deployment).values(platform_id=platform, deployment_id="d").returning(Deployment.id)
    ).scalar_one()
    context = connection.execute(
        insert(Context).values(deployment_id=deployment, lti_id="c", types=[]).returning(Context.id)
    ).scalar_one()
    activity = connection.execute(
        insert(Activity)
        .values(
            key=str(uuid.uuid4()), context_id=context, kind="peer-review", title="t", settings={}
        )
        .returning(Activity.id)
    ).scalar_one()
    connection.execute(
        insert(User), [{"platform_id": platform, "sub": f"u{n}"} for n in range(size)]
    )
    people = list(connection.scalars(text("SELECT id FROM lti_user ORDER BY id")))
    connection.execute(
        insert(Submission),
        [
            {
                "activity_id": activity,
                "author_id": person,
                "first_submitted_at": NOW - timedelta(minutes=size - n),
                "last_submitted_at": NOW,
            }
            for n, person in enumerate(people)
        ],
    )
    submissions = list(connection.execute(text("SELECT id, author_id FROM pr_submission")))
    rows = []
    for submission in submissions:
        reviewers = rng.sample(people, 4)
        for reviewer in reviewers[: rng.randint(0, 4)]:
            if reviewer == submission.author_id:
                continue
            state, lease = rng.choice(
                [
                    ("completed", None),
                    ("completed", None),
                    ("assigned", NOW + timedelta(hours=5)),
                    ("assigned", NOW - timedelta(hours=1)),
                ]
            )
            rows.append(
                {
                    "activity_id": activity,
                    "submission_id": submission.id,
                    "reviewer_id": reviewer,
                    "state": state,
                    "source": "queue",
                    "assigned_at": NOW - timedelta(hours=6),
                    "lease_expires_at": lease,
                }
            )
    connection.execute(insert(Allocation), rows)
    queue.expire_leases(connection, activity_id=activity, now=NOW)
    recount(connection, [row.id for row in submissions])
    connection.execute(text("ANALYZE"))
    return activity, people


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def python_pick(connection: Connection, activity: int, reviewer: int) -> SubmissionId | None:
    states = queue.submission_states(connection, activity, open_until=NOW + timedelta(days=30))
    mine = {
        SubmissionId(str(found))
        for found in connection.scalars(
            text("SELECT submission_id FROM pr_allocation WHERE reviewer_id = :r"), {"r": reviewer}
        )
    }
    return pick_next(
        ParticipantId(str(reviewer)),
        states,
        policy=GroupPolicy.NONE,
        groups=None,
        already_reviewed_by_reviewer=mine,
        now=NOW,
    )


def queue_pick_section(args: argparse.Namespace) -> list[str]:
    rng = random.Random(args.seed)
    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    name = f"peerlearn_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.postgres_url.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        engine = make_engine(url)
        with engine.begin() as connection:
            activity, people = populate(connection, args.submissions, rng)
        timings: dict[str, list[float]] = {"peerlearn (one query)": [], "load all + rule": []}
        with engine.connect() as connection:
            for reviewer in rng.sample(people, args.picks):
                started = time.perf_counter()
                queue.pick_in_database(
                    connection,
                    activity_id=activity,
                    reviewer_id=reviewer,
                    reviewer_group=None,
                    policy=GroupPolicy.NONE,
                )
                timings["peerlearn (one query)"].append(time.perf_counter() - started)
            for reviewer in rng.sample(people, max(10, args.picks // 10)):
                started = time.perf_counter()
                python_pick(connection, activity, reviewer)
                timings["load all + rule"].append(time.perf_counter() - started)
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    header = f"{'implementation':<24} {'picks':>6} {'p50 ms':>8} {'p99 ms':>8}"
    lines = [f"{args.submissions} submissions on PostgreSQL", "", header, "-" * len(header)]
    for label, samples in timings.items():
        p50, p99 = percentiles(samples)
        lines.append(f"{label:<24} {len(samples):>6} {p50:>8.2f} {p99:>8.2f}")
    lines.append("\nTarget: p99 under 10 ms.")
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--postgres-url", default=DEFAULT_URL)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--picks", type=int, default=500)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument("--seed", type=int, default=2026)
    print("\n".join(queue_pick_section(parser.parse_args())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
