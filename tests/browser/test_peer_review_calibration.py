"""Calibration in the cross-site iframe with no cookie: a teacher places a peer review
with calibration, adds and assesses an example; a learner calibrates, then compares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser.test_demo_launch import demo_tool, tool_frame

pytestmark = pytest.mark.browser
__all__ = ["demo_tool"]


def open_as(page: Any, demo_tool: int, link_id: str, person: str) -> Any:
    page.goto(f"http://localhost:{demo_tool}/demo/?link={link_id}&as={person}")
    return tool_frame(page, f"127.0.0.1:{demo_tool}/app/peer-review/")


def test_teacher_prepares_an_example_and_a_learner_calibrates(
    chromium: Any, demo_tool: int
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"http://localhost:{demo_tool}/demo/")
    page.click("a[data-link='deep-linking']")
    frame = tool_frame(page, f"127.0.0.1:{demo_tool}/lti/launch")
    frame.click("a[data-kind='peer-review']")
    frame = tool_frame(page, "/app/deep-linking/peer-review")
    frame.fill("#f-title", "Calibrated review")
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    frame.fill("#f-submissions_due", due)
    frame.check("#f-calibration")
    frame.fill("#f-calibration_examples", "1")
    frame.click("#add-and-return")
    frame = tool_frame(page, "/demo/deep-linking/return")
    frame.click("text=Back to the course")
    page.wait_for_selector("#links")
    link_id = page.locator("#links a", has_text="Calibrated review").get_attribute("data-link")

    frame = open_as(page, demo_tool, link_id, "demo-teacher")
    context.clear_cookies()
    frame.click("#calibration-link")
    frame.wait_for_selector("#add-example")
    frame.fill("#title", "A model essay")
    frame.fill("#text", "# A model essay\n\nPeers learn by explaining.")
    frame.click("#add-example button[type=submit]")
    frame.wait_for_selector("#assess-example")
    frame.check("input[name='score-argument'][value='4.0']")
    frame.check("input[name='score-clarity'][value='2.0']")
    frame.fill("#explanation", "The claim is clear and every step supports it.")
    frame.click("#save-assessment")
    # The page before also had a notice ("added"): wait for the new one.
    frame.wait_for_selector("#notice:has-text('learners can use this example')")

    frame = open_as(page, demo_tool, link_id, "demo-learner-1")
    context.clear_cookies()
    assert "Calibrate first" in frame.inner_text("#calibration-status")
    frame.click("#calibrate-link")
    frame.click("#calibration-examples a")
    frame.wait_for_selector("#calibration-form")
    assert "Peers learn by explaining." in frame.inner_text(".calibration-example")
    frame.check("input[name='score-argument'][value='2.0']")
    frame.fill("#c-argument", "Some support is missing.")
    frame.check("input[name='score-clarity'][value='2.0']")
    frame.click("#submit-calibration")
    frame.wait_for_selector("#comparison")
    assert "every step supports it" in frame.inner_text("#explanation")
    assert frame.locator("#comparison tr.differs").count() == 1
    assert "you can review" in frame.inner_text("#calibration-status")
    frame.click("#to-activity")
    frame.wait_for_selector("#my-work")
    assert frame.locator("#calibration-status[data-state='done']").count() == 1
    context.close()
