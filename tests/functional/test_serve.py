"""The quick start: ``peerlearn serve`` on embedded defaults, and production without a demo."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from lti_tool import create_app
from tests.conftest import make_settings
from tests.support.browser import Browser
from tests.support.servers import free_port


def test_serve_starts_on_embedded_defaults_with_the_demo_lms(tmp_path: Path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PEERLEARN_")}
    env["PEERLEARN_BASE_URL"] = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "lti_tool.cli.main", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "peerlearn serve did not start"
                time.sleep(0.3)
        assert health.json()["status"] == "ok"
        # Everything it needed, it generated under the working folder.
        assert (tmp_path / "instance" / "peerlearn.sqlite3").exists()
        assert (tmp_path / "instance" / "dev-secret-key").exists()
        assert list((tmp_path / "keys").glob("*.pem"))

        browser = Browser()
        course = browser.get(f"http://127.0.0.1:{port}/demo/?as=demo-teacher")
        assert course.status == 200
        frame_src = course.text.split('id="tool-frame" class="tool-frame" title="Peerlearn" src="')[
            1
        ]
        login_url = frame_src.split('"')[0].replace("&amp;", "&")
        form_page = browser.get(login_url)
        action, fields = form_page.form()
        launched = browser.post(action, fields)
        assert launched.status == 200, launched.text[:500]
        assert 'id="who">Ada Lovelace<' in launched.text
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert f"Open the demo LMS: http://127.0.0.1:{port}/demo/" in output
    assert "PEERLEARN_SECRET_KEY not set" in output


def test_production_has_no_demo_lms(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(
        tmp_path, database_url=database_url, base_url="https://peerlearn.example.edu"
    )
    app = create_app(settings.with_overrides(env=settings.env.PRODUCTION))
    client = app.test_client()
    assert client.get("/demo/").status_code == 404
    assert client.get("/lti/config").status_code == 200
    app.extensions["peerlearn"].close()


@pytest.mark.parametrize("command", [["keys", "list"], ["platform", "list"]])
def test_console_script_runs(tmp_path: Path, command: list[str]) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PEERLEARN_")}
    subprocess.run(
        [sys.executable, "-m", "lti_tool.cli.main", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [sys.executable, "-m", "lti_tool.cli.main", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
