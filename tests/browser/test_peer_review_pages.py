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


def test_grade_chart_on_the_dashboard_obeys_the_csp(chromium: Any, demo_tool: int) -> None:
    context = chromium.new_context()
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"http://localhost:{demo_tool}/demo/")
    page.click("a[data-link='deep-linking']")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/lti/launch")
    frame.click("a[data-kind='peer-review']")
    frame = tool_frame(page, "/app/deep-linking/peer-review")
    frame.fill("#f-title", "Charted review")
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    frame.fill("#f-submissions_due", due)
    frame.click("#add-and-return")
    frame = tool_frame(page, "/demo/deep-linking/return")
    frame.click("text=Back to the course")
    page.wait_for_selector("#links")
    link_id = page.locator("#links a", has_text="Charted review").get_attribute("data-link")
    # Two learners open it; neither submits, so at release each gets 0 for the work and
    # full marks for reviewing (nothing was assigned): 20 of 100 with the default weights.
    for learner in ("demo-learner-1", "demo-learner-2"):
        page.goto(f"http://localhost:{demo_tool}/demo/?link={link_id}&as={learner}")
        tool_frame(page, f"127.0.0.1:{demo_tool}/app/peer-review/")
    page.goto(f"http://localhost:{demo_tool}/demo/?link={link_id}&as=demo-teacher")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/app/peer-review/")
    assert frame.locator("#no-grades").count() == 1
    frame.click("#release")
    frame.wait_for_selector("#grade-chart")

    bins = frame.locator("#grade-chart g.chart-bin")
    assert bins.count() == 10
    assert frame.locator("#grade-chart rect.chart-bar").count() == 10
    counts = {
        bins.nth(index).get_attribute("data-range"): bins.nth(index).get_attribute("data-count")
        for index in range(10)
    }
    assert counts["20 to 30"] == "2"
    assert sum(int(value or 0) for value in counts.values()) == 2
    tallest = frame.locator("#grade-chart g[data-range='20 to 30'] rect").bounding_box()
    empty = frame.locator("#grade-chart g[data-range='0 to 10'] rect").bounding_box()
    assert tallest is not None
    assert tallest["height"] > 50  # really drawn, at the chart's full height
    assert empty is None or empty["height"] == 0
    assert frame.locator("#grade-chart > title").text_content() == "Grade distribution"
    assert "20 to 30: 2" in (frame.locator("#grade-chart-desc").text_content() or "")
    assert frame.locator("#distribution tbody tr").count() == 10
    # The bars take their colour from the stylesheet, so CSS really applied.
    fill = frame.eval_on_selector(
        "#grade-chart g[data-range='20 to 30'] rect", "el => getComputedStyle(el).fill"
    )
    assert fill == "rgb(47, 95, 208)"
    assert not [line for line in console if "Content Security Policy" in line], console
    context.close()
