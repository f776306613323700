"""A peer review placed from the demo LMS's picker, then a learner submits work, all in
the cross-site iframe with no cookie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser.test_demo_launch import demo_tool, tool_frame

pytestmark = pytest.mark.browser
__all__ = ["demo_tool"]


def test_place_then_submit_in_the_frame(chromium: Any, demo_tool: int) -> None:
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"http://localhost:{demo_tool}/demo/")
    page.click("a[data-link='deep-linking']")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/lti/launch")
    frame.click("a[data-kind='peer-review']")
    frame = tool_frame(page, "/app/deep-linking/peer-review")
    frame.fill("#f-title", "Essay review")
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    frame.fill("#f-submissions_due", due)
    frame.click("#add-and-return")
    frame = tool_frame(page, "/demo/deep-linking/return")
    assert "1 activity added" in frame.inner_text("h1")

    frame.click("text=Back to the course")
    page.wait_for_selector("#links")
    link_id = page.locator("#links a", has_text="Essay review").get_attribute("data-link")
    page.goto(f"http://localhost:{demo_tool}/demo/?link={link_id}&as=demo-learner-1")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/app/peer-review/")
    assert frame.inner_text("#activity-title") == "Essay review"
    context.clear_cookies()
    frame.fill("#text", "# My essay\n\nPeers teach peers <script>alert(1)</script>.")
    frame.click("#submit-work")
    # The same frame navigates; its page then swaps its address (no ?submitted), so wait
    # for what the page shows, not for the address.
    frame.wait_for_selector("#submitted")
    assert "My essay" in frame.inner_text("#my-work")
    assert frame.locator("#my-work script").count() == 0
    assert dialogs == []
    context.close()
