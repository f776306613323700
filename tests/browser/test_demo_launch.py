"""The built-in demo LMS launches Peerlearn in a cross-site iframe, and the launched pages
keep working with every cookie cleared."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lti_tool import create_app
from lti_tool.demo.web import register_platform
from tests.conftest import make_settings
from tests.support.keys import install_tool_keys
from tests.support.servers import free_port, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_tool(tmp_path: Path, database_url: str) -> Iterator[int]:
    """Peerlearn in development mode (demo LMS on) at 127.0.0.1; the page opens on localhost."""
    port = free_port()
    settings = make_settings(
        tmp_path, database_url=database_url, base_url=f"http://127.0.0.1:{port}"
    )
    install_tool_keys(settings.keys_dir)
    app = create_app(settings)
    register_platform(app.extensions["peerlearn"].sessions, app.extensions["peerlearn_demo"]())
    with serving(app, "127.0.0.1", port):
        yield port
    app.extensions["peerlearn"].close()


def tool_frame(page: Any, url_part: str) -> Any:
    page.wait_for_function(
        "part => [...document.querySelectorAll('iframe')].length > 0", arg=url_part
    )
    for _ in range(100):
        frame = next((f for f in page.frames if url_part in f.url), None)
        if frame is not None:
            frame.wait_for_load_state()
            return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no frame at {url_part}: {[f.url for f in page.frames]}")


def test_demo_launch_in_cross_site_iframe_then_cookie_less_navigation(
    chromium: Any, demo_tool: int
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # The LMS page is on "localhost", Peerlearn on "127.0.0.1": different sites.
    page.goto(f"http://localhost:{demo_tool}/demo/")
    page.click("a[data-person='demo-learner-1']")

    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/app?ls=")
    assert frame.inner_text("#who") == "Grace Hopper"
    assert frame.inner_text("#course") == "Peer Learning 101"
    assert frame.inner_text("#role") == "Learner"
    frame.wait_for_selector("#session-status[data-checked='ok']")
    assert "Grace Hopper" in frame.inner_text("#session-status")

    context.clear_cookies()
    assert context.cookies() == []
    frame.click("#profile-link")
    frame = tool_frame(page, "/app/profile?ls=")
    frame.fill("#display_name", "Rear Admiral Grace")
    frame.click("button[type=submit]")
    frame = tool_frame(page, "saved=1")
    frame.wait_for_selector("#saved")
    assert frame.inner_text("#shown-name") == "Rear Admiral Grace"
    frame.click("#home-link")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/app?ls=")
    assert frame.inner_text("#who") == "Rear Admiral Grace"
    frame.wait_for_selector("#session-status[data-checked='ok']")
    assert [c for c in context.cookies() if c["domain"] == "127.0.0.1"] == []
    assert dialogs == []
    context.close()
