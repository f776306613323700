"""Launches in a browser that blocks the tool's cookies inside the LMS page.

How the cookies are blocked (checked empirically with Debian Chromium 156, and asserted
below): the profile blocks third-party cookies (``profile.block_third_party_cookies``,
``profile.cookie_controls_mode: 1``), which alone still lets a frame keep *partitioned*
(CHIPS) cookies, and Peerlearn's cookie is partitioned; so the profile also holds a
cookie content setting that blocks every cookie of the tool's origin when the top-level
site is the LMS (``content_settings.exceptions.cookies``, pattern "tool,lms", setting 2),
the way a user blocks one embedded site. Inside the LMS page no Peerlearn cookie is
stored or sent, partitioned or not; in a top-level window of its own Peerlearn's cookies
are first-party and work. Each test asserts the cookie jar to show it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lti_tool import create_app
from lti_tool.demo.web import register_platform
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_demo_launch import demo_tool, tool_frame  # noqa: F401 (fixture)
from tests.conftest import make_settings
from tests.support.keys import install_tool_keys
from tests.support.servers import free_port, running_lms, serving

pytestmark = pytest.mark.browser


@dataclass
class Sites:
    tool: str  # Peerlearn, on 127.0.0.1
    lms: str  # the LMS, on localhost: another site, and the frame's top level


@pytest.fixture
def sites(tmp_path: Path, database_url: str) -> Iterator[Sites]:
    port = free_port()
    tool = f"http://127.0.0.1:{port}"
    settings = make_settings(tmp_path, database_url=database_url, base_url=tool)
    install_tool_keys(settings.keys_dir)
    app = create_app(settings)
    with (
        serving(app, "127.0.0.1", port),
        running_lms(tool_base_url=tool, key_dir=tmp_path, host="localhost") as lms,
    ):
        register_platform(app.extensions["peerlearn"].sessions, lms.platform)
        yield Sites(tool=tool, lms=lms.base_url)
    app.extensions["peerlearn"].close()


@pytest.fixture
def blocking_context(chromium: Any, sites: Sites, tmp_path: Path) -> Iterator[Any]:
    """A Chromium profile in which the tool may keep no cookie inside the LMS's page."""
    profile = tmp_path / "chromium-profile"
    (profile / "Default").mkdir(parents=True)
    preferences = {
        "profile": {
            "block_third_party_cookies": True,
            "cookie_controls_mode": 1,
            "content_settings": {
                "exceptions": {"cookies": {f"{sites.tool},{sites.lms}": {"setting": 2}}}
            },
        }
    }
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    context = chromium.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield context
    context.close()


def tool_cookies(context: Any) -> list[Any]:
    return [c for c in context.cookies() if c["domain"] == "127.0.0.1"]


def storage_log(page: Any) -> list[str]:
    return [
        f"{item.get_attribute('data-subject')} {item.get_attribute('data-outcome')}"
        for item in page.query_selector_all("#lti-storage-log li")
    ]


def test_launch_through_platform_storage_with_cookies_blocked(
    blocking_context: Any, sites: Sites
) -> None:
    page = blocking_context.new_page()
    page.goto(f"{sites.lms}/?storage=1")
    page.click("a[data-person='demo-learner-1']")

    frame = tool_frame(page, "127.0.0.1:" + sites.tool.rsplit(":", 1)[1] + "/app?ls=")
    assert frame.inner_text("#who") == "Grace Hopper"
    frame.wait_for_selector("#session-status[data-checked='ok']")
    frame.click("#profile-link")
    frame = tool_frame(page, "/app/profile?ls=")
    assert frame.inner_text("#shown-name") == "Grace Hopper"

    # Login kept state and nonce in the LMS page; the launch, finding no cookie, read
    # them back: each step checked the capabilities first.
    assert storage_log(page) == [
        "lti.capabilities ok",
        "lti.put_data ok",
        "lti.put_data ok",
        "lti.capabilities ok",
        "lti.get_data ok",
        "lti.get_data ok",
    ]
    assert tool_cookies(blocking_context) == []  # the login's cookie was refused


def test_launch_without_storage_offers_a_new_window_that_launches(
    blocking_context: Any, sites: Sites
) -> None:
    page = blocking_context.new_page()
    page.goto(f"{sites.lms}/")  # this LMS offers no platform storage
    page.click("a[data-person='demo-teacher']")

    frame = tool_frame(page, "/lti/launch")
    frame.wait_for_selector("#new-window button")
    assert "Peerlearn needs its own window" in frame.inner_text("h1")
    assert tool_cookies(blocking_context) == []  # nothing came back: refused, not launched
    with blocking_context.expect_page() as opened:
        frame.click("#new-window button")
    window = opened.value
    window.wait_for_url("**/app?ls=*")
    assert window.inner_text("#who") == "Ada Lovelace"
    assert window.inner_text("#role") == "Staff"
    window.wait_for_selector("#session-status[data-checked='ok']")
    assert storage_log(page) == []
    # First-party in its own window, the login's cookie was kept.
    assert [c["name"].startswith("lti1p3-state-") for c in tool_cookies(blocking_context)] == [True]


def test_storage_login_goes_on_with_its_cookie_when_the_platform_does_not_answer(
    chromium: Any,
    demo_tool: int,  # noqa: F811 (the fixture imported above)
) -> None:
    """Cookies allowed (Chromium's default keeps partitioned ones), storage unanswered.

    The built-in demo's issuer is on 127.0.0.1, its page here on localhost: messages
    addressed to the auth endpoint's origin never reach the page, so the login page waits
    for capabilities in vain and goes on; the cookie it set makes the launch.
    """
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"http://localhost:{demo_tool}/demo/?storage=1")
    page.click("a[data-person='demo-learner-1']")

    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/app?ls=")

    assert frame.inner_text("#who") == "Grace Hopper"
    assert storage_log(page) == []
    context.close()
