"""Launch throughput and latency: Peerlearn against a bare pylti1p3 Flask tool.

Each launch is what a browser does: OIDC login at the tool, the platform's signed
id_token (signed here by lti1p3platform, in the load generator), and the form post to the
tool, which answers with the launched page. Both tools run under gunicorn and face the
same load generator in the same run, on SQLite and PostgreSQL, with 1 and 2 workers;
measurements alternate between the tools and the best of the rounds counts, which
damps noise from the load generator sharing the machine.

Target: Peerlearn >= 0.8x the bare tool's launches/s.

    python benchmarks/launch.py [--seconds 8] [--rounds 2] [--clients-per-worker 4]
                                [--skip-postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import requests
from flask import Flask, jsonify
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lti_tool.demo.platform import DemoPlatform, ToolEndpoints, load_or_create_key  # noqa: E402
from lti_tool.demo.web import register_platform  # noqa: E402
from lti_tool.keys import KeyRing  # noqa: E402
from lti_tool.persistence.db import make_engine, make_session_factory  # noqa: E402
from lti_tool.persistence.migrate import upgrade  # noqa: E402

POSTGRES = os.environ.get(
    "PEERLEARN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
PEOPLE = ["demo-teacher", "demo-learner-1", "demo-learner-2", "demo-learner-3", "demo-learner-4"]


@dataclass(frozen=True)
class ToolUnderTest:
    name: str
    app_spec: str
    login_path: str
    launch_path: str
    jwks_path: str


PEERLEARN = ToolUnderTest(
    "peerlearn", "lti_tool:create_app()", "/lti/login", "/lti/launch", "/.well-known/jwks.json"
)
BARE = ToolUnderTest(
    "bare", "benchmarks.bare_pylti1p3_tool:create_app()", "/login", "/launch", "/jwks"
)


@dataclass
class Result:
    launches: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.launches / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies) or [0.0]
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def lms_key_set(platform: Callable[[], DemoPlatform]) -> Iterator[str]:
    """The LMS's key set over HTTP; each tool fetches it once and caches it."""
    app = Flask("bench-lms")
    app.add_url_rule("/jwks.json", "jwks", lambda: jsonify(platform().jwks()))
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()


@contextmanager
def gunicorn(port: int, app_spec: str, workers: int, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            # Threads let a worker serve another launch while one waits on the database;
            # both tools get the same server settings.
            "--worker-class",
            "gthread",
            "--threads",
            os.environ.get("PEERLEARN_BENCH_THREADS", "4"),
            "--log-level",
            "warning",
            app_spec,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"{app_spec} did not start") from None
                time.sleep(0.2)
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)


def one_launch(http: requests.Session, platform: DemoPlatform) -> None:
    person = PEOPLE[uuid.uuid4().int % len(PEOPLE)]
    http.cookies.clear()  # each launch is a fresh browser visit; stale state cookies pile up
    login = http.get(platform.login_url(person), allow_redirects=False, timeout=30)
    if login.status_code != 302:
        raise RuntimeError(f"login: HTTP {login.status_code}")
    form = platform.authorize(dict(parse_qsl(urlsplit(login.headers["Location"]).query)))
    # Sent explicitly: requests keeps Secure cookies off plain http, browsers on localhost do not.
    launch = http.post(
        form.action,
        data=form.fields(),
        cookies=dict(login.cookies),
        allow_redirects=False,
        timeout=30,
    )
    if launch.status_code != 200 or "Welcome" not in launch.text:
        raise RuntimeError(f"launch: HTTP {launch.status_code} {launch.text[:200]}")


def generate_load(platform: DemoPlatform, *, clients: int, seconds: float) -> Result:
    for _ in range(10):  # warm up: key set fetch, connection pools, lazy imports
        one_launch(requests.Session(), platform)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        http = requests.Session()
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                one_launch(http, platform)
            except (RuntimeError, requests.RequestException) as error:
                with lock:
                    errors.append(str(error))
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        print(f"  {len(errors)} failed launches, first: {errors[0]}", file=sys.stderr)
    return Result(len(latencies), time.monotonic() - started, latencies, len(errors))


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{work / f'bench-{uuid.uuid4().hex[:6]}.sqlite3'}"
        return
    name = f"peerlearn_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(
    tool: ToolUnderTest, db_kind: str, workers: int, work: Path, args: argparse.Namespace
) -> Result:
    holder: dict[str, DemoPlatform] = {}
    with lms_key_set(lambda: holder["platform"]) as lms_url, database(db_kind, work) as db_url:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        platform = DemoPlatform(
            issuer=lms_url,
            client_id="bench-client",
            deployment_id="bench-deployment",
            private_key=load_or_create_key(work / "lms.pem"),
            tool=ToolEndpoints(
                login_url=base + tool.login_path,
                launch_url=base + tool.launch_path,
                jwks_url=base + tool.jwks_path,
            ),
        )
        holder["platform"] = platform
        env = (
            peerlearn_env(platform, db_url, base, work)
            if tool is PEERLEARN
            else bare_env(lms_url, base, workers, work)
        )
        with gunicorn(port, tool.app_spec, workers, env):
            return generate_load(
                platform, clients=workers * args.clients_per_worker, seconds=args.seconds
            )


def peerlearn_env(platform: DemoPlatform, db_url: str, base: str, work: Path) -> dict[str, str]:
    upgrade(db_url)
    keys = work / f"keys-{uuid.uuid4().hex[:6]}"
    KeyRing(keys).generate()
    engine = make_engine(db_url)
    register_platform(make_session_factory(engine), platform)
    engine.dispose()
    return {
        "PEERLEARN_ENV": "development",
        "PEERLEARN_DATABASE_URL": db_url,
        "PEERLEARN_BASE_URL": base,
        "PEERLEARN_KEYS_DIR": str(keys),
        "PEERLEARN_INSTANCE_DIR": str(work / "instance"),
        "PEERLEARN_SECRET_KEY": "benchmark-secret-" + "x" * 32,
    }


def bare_env(lms_url: str, base: str, workers: int, work: Path) -> dict[str, str]:
    tool_key = work / "bare-tool.pem"
    load_or_create_key(tool_key)
    return {
        "BARE_ISSUER": lms_url,
        "BARE_CLIENT_ID": "bench-client",
        "BARE_DEPLOYMENT_ID": "bench-deployment",
        "BARE_AUTH_URL": lms_url + "/authorize",
        "BARE_JWKS_URL": lms_url + "/jwks.json",
        "BARE_BASE_URL": base,
        "BARE_PRIVATE_KEY": str(tool_key),
        "BARE_CACHE_DIR": str(work / f"bare-cache-{uuid.uuid4().hex[:6]}"),
        # The in-memory cache cannot be shared between worker processes.
        "BARE_CACHE": "SimpleCache" if workers == 1 else "FileSystemCache",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients-per-worker", type=int, default=4)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="peerlearn-bench-"))
    rows: list[tuple[str, int, Result, Result]] = []
    try:
        for workers in (1, 2):
            for db_kind in ("sqlite", *(() if args.skip_postgres else ("postgres",))):
                ours: list[Result] = []
                bare: list[Result] = []
                for _ in range(args.rounds):
                    bare.append(measure(BARE, db_kind, workers, work, args))
                    ours.append(measure(PEERLEARN, db_kind, workers, work, args))
                rows.append(
                    (
                        db_kind,
                        workers,
                        max(ours, key=lambda r: r.rate),
                        max(bare, key=lambda r: r.rate),
                    )
                )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(rows)
    return 0


def print_table(rows: list[tuple[str, int, Result, Result]]) -> None:
    header = (
        f"{'database':<9} {'workers':>7}  {'tool':<10} {'launches/s':>10} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'errors':>6}  {'ratio':>5}"
    )
    print(header)
    print("-" * len(header))
    for db_kind, workers, ours, bare in rows:
        for name, result in (("peerlearn", ours), ("bare", bare)):
            ratio = f"{ours.rate / bare.rate:5.2f}" if name == "peerlearn" else ""
            print(
                f"{db_kind:<9} {workers:>7}  {name:<10} {result.rate:>10.1f} "
                f"{result.percentile(0.5):>8.1f} {result.percentile(0.99):>8.1f} "
                f"{result.errors:>6}  {ratio:>5}"
            )
    print(
        "\nbare = pylti1p3 2.0.0 Flask tool, public key caching on, flask-caching store "
        "(the database column does not apply to it)."
    )
    print("Target: ratio >= 0.80 (Peerlearn launches/s over the bare tool's).")


if __name__ == "__main__":
    sys.exit(main())
