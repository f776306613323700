"""The course library placed from the demo LMS's picker, then a learner shares an item
full of hostile markup, all in the cross-site iframe with no cookie: nothing runs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_demo_launch import demo_tool, tool_frame

pytestmark = pytest.mark.browser
__all__ = ["demo_tool"]

HOSTILE = (
    '"><img src=x onerror=alert(1)><svg onload=alert(2)><script>alert(3)</script>'
    "[x](javascript:alert(4))<details open ontoggle=alert(5)>"
)


def test_place_the_library_then_share_an_item_in_the_frame(chromium: Any, demo_tool: int) -> None:
    context = chromium.new_context()
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"http://localhost:{demo_tool}/demo/")
    page.click("a[data-link='deep-linking']")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/lti/launch")
    frame.click("a[data-kind='library']")
    frame = tool_frame(page, "/app/deep-linking/library")
    frame.fill("#f-title", "Course library")
    frame.click("#add-and-return")
    frame = tool_frame(page, "/demo/deep-linking/return")
    assert "1 activity added" in frame.inner_text("h1")

    frame.click("text=Back to the course")
    page.wait_for_selector("#links")
    link_id = page.locator("#links a", has_text="Course library").get_attribute("data-link")
    page.goto(f"http://localhost:{demo_tool}/demo/?link={link_id}&as=demo-learner-1")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/app/library/")
    context.clear_cookies()
    frame.click("text=Share something")
    frame.wait_for_selector("#item-form")
    frame.fill("#f-title", HOSTILE)
    frame.fill("#f-summary", HOSTILE)
    frame.fill("#f-body", "# Notes\n\n" + HOSTILE)
    frame.fill("#f-topics", "Safety, <b onmouseover=alert(6)>x</b>")
    frame.click("#item-form button[type=submit]")
    frame.wait_for_selector("#saved")
    frame.click("#publish-form button")
    frame.wait_for_selector("#published-notice")
    assert frame.inner_text("#item-title") == HOSTILE
    assert frame.locator("#item script, #item img, #item svg, #item details").count() == 0
    assert frame.locator("#item [onerror], #item [onload], #item [ontoggle]").count() == 0
    assert frame.locator("#item a[href^='javascript'], #item a[href^='data']").count() == 0

    page.goto(f"http://localhost:{demo_tool}/demo/?link={link_id}&as=demo-learner-2")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/app/library/")
    frame.click(".library-card h2 a")
    frame.wait_for_selector("#item-title")
    frame.hover("#item-topics a >> nth=-1")
    assert frame.inner_text("#author-name") == "Grace Hopper"
    assert dialogs == []
    context.close()
