"""Learning-record delivery: Peerlearn's worker against tincan, and the cost of enqueueing.

In one run, against the same Ralph LRS on loopback (a fresh store for each sender):
statements/s delivered by Peerlearn's worker, by tincan ``save_statement`` one at a
time, and by tincan ``save_statements`` in batches of 100, with the ratios; the cost of
recording a statement inside a request (validation + outbox insert; median and p99); and
a backlog drained by ``peerlearn xapi deliver --once`` at two sizes, with the worker's peak
memory for each (against a minimal LRS that accepts and discards, so that the LRS's own
speed does not dominate).

Targets: >= 20x tincan one at a time; enqueue median < 0.5 ms; memory flat in backlog size.

    python benchmarks/xapi_delivery.py [--statements 2000] [--backlog 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402
from tincan import RemoteLRS, Statement  # noqa: E402

from lti_tool.learning_records import records as learning_records  # noqa: E402
from lti_tool.learning_records.delivery import StatementWorker  # noqa: E402
from lti_tool.learning_records.records import Routes  # noqa: E402
from lti_tool.outbox import store as outbox  # noqa: E402
from lti_tool.persistence.db import make_engine  # noqa: E402
from lti_tool.persistence.migrate import upgrade  # noqa: E402
from lti_tool.persistence.models import OutboxMessage  # noqa: E402
from tests.support.ralph import PASSWORD, USERNAME, running_ralph  # noqa: E402
from tests.support.secrets import SECRETS, SECRETS_KEYS  # noqa: E402
from tests.support.statements import sample_statement  # noqa: E402


def statements(count: int, salt: str) -> list[dict[str, Any]]:
    return [sample_statement(n, salt) for n in range(count)]


def fresh_database(work: Path, name: str) -> str:
    url = f"sqlite:///{work / name}"
    upgrade(url)
    return url


def peerlearn_rate(
    endpoint: str, batch: list[dict[str, Any]], work: Path, batch_size: int = 100
) -> float:
    engine = make_engine(fresh_database(work, f"rate-{batch_size}.sqlite3"))
    routes = Routes(engine)
    with engine.begin() as connection:
        learning_records.add_destination(
            connection,
            endpoint=endpoint,
            username=USERNAME,
            password=PASSWORD,
            platform_id=None,
            secrets=SECRETS,
            batch_size=batch_size,
        )
    with engine.begin() as connection:
        for statement in batch:
            learning_records.record(
                connection, statement, platform_id=1, routes=routes, strict=True
            )
    worker = StatementWorker(engine, secrets=SECRETS)
    started = time.perf_counter()
    delivered = 0
    while count := worker.run_once():
        delivered += count
    elapsed = time.perf_counter() - started
    engine.dispose()
    assert delivered == len(batch), (delivered, len(batch))
    return delivered / elapsed


def tincan_rate(endpoint: str, batch: list[dict[str, Any]], *, batched: bool) -> float:
    lrs = RemoteLRS(endpoint=endpoint + "/", username=USERNAME, password=PASSWORD, version="1.0.3")
    models = [Statement(statement) for statement in batch]
    started = time.perf_counter()
    if batched:
        for start in range(0, len(models), 100):
            response = lrs.save_statements(models[start : start + 100])
            assert response.success, response.data
    else:
        for model in models:
            response = lrs.save_statement(model)
            assert response.success, response.data
    return len(models) / (time.perf_counter() - started)


def enqueue_cost(work: Path, count: int) -> tuple[float, float]:
    engine = make_engine(fresh_database(work, "enqueue.sqlite3"))
    routes = Routes(engine)
    with engine.begin() as connection:
        learning_records.add_destination(
            connection,
            endpoint="https://lrs.example/xAPI",
            username="u",
            password="p",
            platform_id=None,
            secrets=SECRETS,
        )
    timings = []
    for statement in statements(count, "enqueue"):
        with engine.begin() as connection:  # as inside a request's transaction
            started = time.perf_counter()
            learning_records.record(
                connection, statement, platform_id=1, routes=routes, strict=False
            )
            timings.append(time.perf_counter() - started)
    engine.dispose()
    timings.sort()
    return statistics.median(timings) * 1000, timings[int(len(timings) * 0.99)] * 1000


class _NullLrs(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@contextmanager
def null_lrs() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NullLrs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/xAPI"
    finally:
        server.shutdown()


def backlog_drain(work: Path, size: int, endpoint: str) -> tuple[float, float]:
    """Seconds to drain ``size`` statements and the worker process's peak RSS (MiB)."""
    url = fresh_database(work, f"backlog-{size}.sqlite3")
    engine = make_engine(url)
    with engine.begin() as connection:
        destination = learning_records.add_destination(
            connection,
            endpoint=endpoint,
            username="u",
            password="p",
            platform_id=None,
            secrets=SECRETS,
        )
        template = statements(1, "backlog")[0]
        now = time.time()
        for start in range(0, size, 5000):
            rows = []
            for n in range(start, min(size, start + 5000)):
                key = f"{n:08d}-0000-4000-8000-000000000000"
                rows.append(
                    {
                        "topic": "xapi",
                        "destination": f"lrs:{destination}",
                        "message_key": key,
                        "payload": json.dumps({**template, "id": key}),
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
            connection.execute(insert(OutboxMessage), rows)
    engine.dispose()
    script = (
        "import resource, sys; from lti_tool.cli.main import main; code = main(['xapi', "
        "'deliver', '--once']); print('RSS', resource.getrusage(resource.RUSAGE_SELF)"
        ".ru_maxrss, file=sys.stderr); sys.exit(code)"
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={
            **os.environ,
            "PEERLEARN_DATABASE_URL": url,
            "PEERLEARN_INSTANCE_DIR": str(work),
            "PEERLEARN_SECRETS_KEYS": ",".join(SECRETS_KEYS),
        },
    )
    elapsed = time.perf_counter() - started
    rss_kib = int(done.stderr.split("RSS", 1)[1].split()[0])
    check = make_engine(url)
    with check.connect() as connection:
        [row] = outbox.status(connection, topic="xapi")
    check.dispose()
    assert row.delivered == size, row
    return elapsed, rss_kib / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument(
        "--one-at-a-time",
        type=int,
        default=300,
        help="statements for tincan save_statement (it is slow)",
    )
    parser.add_argument("--backlog", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="peerlearn-xapi-bench-"))
    rates: dict[str, float] = {}
    senders = (
        "peerlearn worker",
        "peerlearn worker, batch 500",
        "tincan save_statements x100",
        "tincan save_statement",
    )
    for name in senders:
        with running_ralph(work / name.replace(" ", "-")) as ralph:
            # Warm the LRS up (imports, connection set-up) before anyone is timed.
            tincan_rate(ralph.endpoint, statements(1, f"warm-{name}"), batched=True)
            if name.startswith("peerlearn"):
                size = 500 if name.endswith("500") else 100
                rates[name] = peerlearn_rate(
                    ralph.endpoint, statements(args.statements, "p"), work, batch_size=size
                )
            elif name.startswith("tincan save_statements"):
                rates[name] = tincan_rate(
                    ralph.endpoint, statements(args.statements, "b"), batched=True
                )
            else:
                rates[name] = tincan_rate(
                    ralph.endpoint, statements(args.one_at_a_time, "o"), batched=False
                )
    median, p99 = enqueue_cost(work, 2000)
    with null_lrs() as endpoint:
        drains = {size: backlog_drain(work, size, endpoint) for size in args.backlog}

    one = rates["tincan save_statement"]
    print(f"{'sender':<30} {'statements/s':>13} {'vs tincan one-at-a-time':>24}")
    print("-" * 69)
    for name, rate in rates.items():
        print(f"{name:<30} {rate:>13.1f} {rate / one:>23.1f}x")
    print(
        f"\nenqueue inside a request: median {median:.3f} ms, p99 {p99:.3f} ms "
        "(target: median < 0.5 ms)"
    )
    print(f"\n{'backlog':>8} {'drain s':>9} {'statements/s':>13} {'worker peak RSS MiB':>20}")
    for size, (seconds, rss) in drains.items():
        print(f"{size:>8} {seconds:>9.1f} {size / seconds:>13.0f} {rss:>20.1f}")
    print("\nTargets: >= 20x tincan one at a time; memory flat in backlog size.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
