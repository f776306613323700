"""A teacher places an activity from the demo LMS's picker, inside the cross-site iframe,
and a learner then opens it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_demo_launch import demo_tool, tool_frame

pytestmark = pytest.mark.browser
__all__ = ["demo_tool"]  # the fixture, shared with the launch test


def test_teacher_places_an_activity_and_a_learner_opens_it(chromium: Any, demo_tool: int) -> None:
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"http://localhost:{demo_tool}/demo/")
    page.click("a[data-link='deep-linking']")

    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/lti/launch")
    frame.click("a[data-kind='course-home']")
    frame = tool_frame(page, "/app/deep-linking/course-home")
    frame.fill("#f-title", "Start here")
    frame.fill("#f-text", "Where peers meet.")
    frame.click("#add-and-return")

    # The tool's frame posts the signed response back to the LMS (the demo LMS's issuer
    # and return URL are on the tool's host), which shows the result.
    frame = tool_frame(page, "/demo/deep-linking/return")
    assert "1 activity added" in frame.inner_text("h1")
    assert "Start here" in frame.inner_text("#added")
    frame.click("text=Back to the course")
    page.wait_for_selector("#links")
    link = page.locator("#links a", has_text="Start here")
    link_id = link.get_attribute("data-link")
    page.goto(f"http://localhost:{demo_tool}/demo/?link={link_id}&as=demo-learner-1")

    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/app?ls=")
    assert frame.inner_text("#who") == "Grace Hopper"
    assert "Start here" in frame.inner_text("#activity")
    assert dialogs == []
    context.close()
