"""A Ralph LRS process for tests, and a proxy in front of it that can misbehave."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import requests
from flask import Flask, Response, request

from tests.support.servers import free_port, serving

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "peerlearn"
PASSWORD = "lrs-test-password"


@dataclass
class Ralph:
    endpoint: str  # the xAPI endpoint, e.g. http://127.0.0.1:8100/xAPI
    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.ralph_server", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if (
                    requests.get(
                        f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2
                    ).status_code
                    == 200
                ):
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Ralph did not start")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None

    def forget(self) -> None:
        """Empty the LRS's file: each query reads all of it, so a session-long LRS would
        make every test's read-back slower than the last."""
        path = self.directory / "fs_lrs.jsonl"
        if path.exists():
            path.write_text("")

    def stored(self) -> list[dict[str, Any]]:
        """Every statement in Ralph's file, as stored (duplicates included, if any)."""
        path = self.directory / "fs_lrs.jsonl"
        if not path.exists():
            return []
        text = path.read_text()
        # Ralph may be appending right now: a last line without its newline is unfinished.
        complete = text if text.endswith("\n") else text.rpartition("\n")[0]
        return [json.loads(line) for line in complete.splitlines() if line.strip()]

    def fetch(self, statement_id: str) -> dict[str, Any] | None:
        response = requests.get(
            self.endpoint + "/statements",
            params={"statementId": statement_id},
            auth=(USERNAME, PASSWORD),
            timeout=10,
            headers={"X-Experience-API-Version": "1.0.3"},
        )
        return response.json() if response.status_code == 200 else None


@contextmanager
def running_ralph(directory: Path) -> Iterator[Ralph]:
    directory.mkdir(parents=True, exist_ok=True)
    auth = directory / "auth.json"
    auth.write_text(
        json.dumps(
            [
                {
                    "agent": {"mbox": "mailto:peerlearn@example.com"},
                    "scopes": ["all"],
                    "username": USERNAME,
                    "hash": bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(),
                }
            ]
        )
    )
    port = free_port()
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(directory / "app"),
        "RALPH_AUTH_FILE": str(auth),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(directory),
        "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(directory),
    }
    ralph = Ralph(endpoint=f"http://127.0.0.1:{port}/xAPI", directory=directory, port=port, env=env)
    ralph.start()
    try:
        yield ralph
    finally:
        ralph.stop()


class FaultyProxy:
    """Forwards to an LRS, or answers with a chosen status, or never answers."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.mode = "forward"  # or "status:<code>", "hang"
        self.requests = 0
        self.release = threading.Event()

    def app(self) -> Flask:
        app = Flask("faulty-lrs")

        @app.route("/xAPI/statements", methods=["GET", "POST", "PUT"])
        def statements() -> Response:
            self.requests += 1
            if self.mode == "hang":
                self.release.wait(60)
                return Response("released", status=503)
            if self.mode.startswith("status:"):
                code = int(self.mode.split(":")[1])
                headers = {"Retry-After": "1"} if code in {429, 503} else {}
                return Response('{"detail": "injected fault"}', status=code, headers=headers)
            upstream = requests.request(
                request.method,
                self.target + "/statements",
                params=request.args,
                data=request.get_data(),
                timeout=30,
                headers={
                    key: value
                    for key, value in request.headers.items()
                    if key.lower() in {"authorization", "content-type", "x-experience-api-version"}
                },
            )
            return Response(
                upstream.content,
                status=upstream.status_code,
                content_type=upstream.headers.get("Content-Type"),
            )

        return app


@contextmanager
def faulty_proxy(target: str) -> Iterator[tuple[FaultyProxy, str]]:
    proxy = FaultyProxy(target)
    port = free_port()
    with serving(proxy.app(), "127.0.0.1", port):
        yield proxy, f"http://127.0.0.1:{port}/xAPI"
    proxy.release.set()
