"""Real HTTP servers on loopback for functional tests: Peerlearn and an LMS."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, request
from werkzeug.serving import BaseWSGIServer, make_server

from lti_tool.demo.platform import DEMO_PEOPLE, DemoPlatform, Person
from lti_tool.demo.web import build_demo_platform, lms_blueprint


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(app: Flask, host: str, port: int) -> Iterator[BaseWSGIServer]:
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=f"http-{port}", daemon=True)
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


def lms_app(platform: DemoPlatform, hits: Counter[str]) -> Flask:
    app = Flask("test-lms")
    app.register_blueprint(lms_blueprint("lms", lambda: platform))

    @app.before_request
    def _count() -> None:
        hits[request.path] += 1

    return app


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
    platform = build_demo_platform(
        issuer=base_url,
        tool_base_url=tool_base_url,
        key_path=key_dir / f"lms-{port}.pem",
        client_id=client_id,
        deployment_id=deployment_id,
        people=people,
    )
    bind = "127.0.0.1" if host == "localhost" else host
    hits: Counter[str] = Counter()
    with serving(lms_app(platform, hits), bind, port):
        yield Lms(platform=platform, base_url=base_url, hits=hits)
