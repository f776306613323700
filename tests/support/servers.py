"""Real HTTP servers on loopback for functional tests: Peerlearn and an LMS.

A server polls for shutdown every 50 ms (the standard library's 500 ms made stopping the
two servers of a test cost up to a second). The LMS keeps its demo platform behind a
getter, so a long-running LMS can start each test with a fresh platform (``LmsServer``).
"""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, request
from werkzeug.serving import BaseWSGIServer, make_server

from lti_tool.demo.platform import (
    DEMO_PEOPLE,
    DemoPlatform,
    Person,
    ToolEndpoints,
    load_or_create_key,
)
from lti_tool.demo.web import build_demo_platform, lms_blueprint
from tests.support.keys import install_lms_key


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: Flask, host: str, port: int) -> Iterator[BaseWSGIServer]:
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name=f"http-{port}", daemon=True
    )
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass
class Lms:
    """An LMS on its own port: lti1p3platform signs, our blueprint serves its pages."""

    platform: DemoPlatform
    base_url: str
    hits: Counter[str]


def lms_app(platform: DemoPlatform | Callable[[], DemoPlatform], hits: Counter[str]) -> Flask:
    app = Flask("test-lms")
    current = platform if callable(platform) else (lambda: platform)
    app.register_blueprint(lms_blueprint("lms", current))

    @app.before_request
    def _count() -> None:
        hits[request.path] += 1

    return app


# How many LMSs this process runs right now: each gets its own key from the pool.
_running: list[int] = []


@contextmanager
def running_lms(
    *,
    tool_base_url: str,
    key_dir: Path,
    host: str = "127.0.0.1",
    client_id: str = "test-client",
    deployment_id: str = "test-deployment",
    people: tuple[Person, ...] = DEMO_PEOPLE,
) -> Iterator[Lms]:
    port = free_port()
    base_url = f"http://{host}:{port}"
    key_path = install_lms_key(key_dir / f"lms-{port}.pem", len(_running))
    platform = build_demo_platform(
        issuer=base_url,
        tool_base_url=tool_base_url,
        key_path=key_path,
        client_id=client_id,
        deployment_id=deployment_id,
        people=people,
    )
    bind = "127.0.0.1" if host == "localhost" else host
    hits: Counter[str] = Counter()
    _running.append(port)
    try:
        with serving(lms_app(platform, hits), bind, port):
            yield Lms(platform=platform, base_url=base_url, hits=hits)
    finally:
        _running.remove(port)


class LmsServer:
    """An LMS that stays up for a whole test session; :meth:`fresh` gives each test a new
    demo platform (gradebook, groups, links, memberships) and zeroed hit counters."""

    def __init__(self, *, tool_base_url: str, key_dir: Path, port: int) -> None:
        self.tool_base_url = tool_base_url
        self.base_url = f"http://127.0.0.1:{port}"
        key_path = install_lms_key(key_dir / f"lms-{port}.pem", len(_running))
        self.key = load_or_create_key(key_path)  # parsed once: loading costs ~20 ms
        self.hits: Counter[str] = Counter()
        self.platform = self._build()
        self.app = lms_app(lambda: self.platform, self.hits)

    def _build(self) -> DemoPlatform:
        # As build_demo_platform does (with running_lms's ids), from the parsed key.
        return DemoPlatform(
            people=DEMO_PEOPLE,
            issuer=self.base_url,
            client_id="test-client",
            deployment_id="test-deployment",
            private_key=self.key,
            tool=ToolEndpoints(
                login_url=self.tool_base_url + "/lti/login",
                launch_url=self.tool_base_url + "/lti/launch",
                jwks_url=self.tool_base_url + "/.well-known/jwks.json",
            ),
        )

    def fresh(self) -> Lms:
        self.platform = self._build()
        self.hits.clear()
        return Lms(platform=self.platform, base_url=self.base_url, hits=self.hits)


@contextmanager
def running_lms_server(*, tool_base_url: str, key_dir: Path) -> Iterator[LmsServer]:
    port = free_port()
    lms = LmsServer(tool_base_url=tool_base_url, key_dir=key_dir, port=port)
    _running.append(port)
    try:
        with serving(lms.app, "127.0.0.1", port):
            yield lms
    finally:
        _running.remove(port)
