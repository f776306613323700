"""Deep Linking 2.0 round trips against lti1p3platform, which validates our response."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Response
from sqlalchemy import func, select

from lti_tool.demo.platform import DEEP_LINKING_HINT
from lti_tool.domain.activities import ActivityKind, FieldType, FormField
from lti_tool.persistence.models import Activity, ResourceLink
from lti_tool.web.kind_pages import KindPages, SubmissionReview, register_kind_pages
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser, Page

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"

ESSAY = ActivityKind(
    key="test-essay",
    title="Essay (test kind)",
    description="A graded kind registered by the tests.",
    fields=(FormField("words", "Word limit", FieldType.INTEGER, required=True, minimum=1),),
    graded=True,
)
NOTES = ActivityKind(key="test-notes", title="Notes (test kind)", description="Not graded.")


@pytest.fixture
def kinds(world: LtiWorld) -> LtiWorld:
    world.services.kinds.register(ESSAY)
    world.services.kinds.register(NOTES)
    return world


def picker(world: LtiWorld, person: str = "demo-teacher") -> tuple[Browser, Page, str]:
    browser, page = world.launch(person, link_id=DEEP_LINKING_HINT)
    assert page.status == 200, page.text
    return browser, page, page.meta("peerlearn-session")


def add(browser: Browser, world: LtiWorld, token: str, kind: str, **values: str) -> Page:
    return browser.post(f"{world.tool_url}/app/deep-linking/{kind}", {"ls": token, **values})


def return_to_lms(browser: Browser, page: Page) -> Page:
    action, fields = page.form()
    assert set(fields) == {"JWT"}
    return browser.post(action, fields)


def count(world: LtiWorld, model: Any) -> int:
    with world.services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_two_items_with_line_items_are_validated_by_the_platform(kinds: LtiWorld) -> None:
    world = kinds
    browser, page, token = picker(world)
    assert 'data-kind="test-essay"' in page.text
    assert 'data-kind="course-home"' in page.text

    more = add(
        browser,
        world,
        token,
        "test-essay",
        title="Essay 1",
        words="500",
        score_maximum="100",
        then="more",
    )
    assert more.status == 200
    assert "Ready to add" in more.text
    assert count(world, Activity) == 0  # nothing is created before the return
    back = add(
        browser,
        world,
        token,
        "test-essay",
        title="Essay 2",
        text="Second essay",
        words="800",
        score_maximum="20",
        then="return",
    )
    assert back.status == 200
    assert 'name="JWT"' in back.text
    added = return_to_lms(browser, back)
    assert added.status == 200, added.text
    assert "2 activities added" in added.text

    lms = world.lms.platform
    [response] = lms.deep_linking_responses
    items = response[DL + "content_items"]
    assert [item["title"] for item in items] == ["Essay 1", "Essay 2"]
    assert response[DL + "data"] == "opaque-" + lms.course.id
    with world.services.sessions() as session:
        activities = session.scalars(select(Activity).order_by(Activity.id)).all()
    assert [(a.kind, a.title, a.settings, a.score_maximum) for a in activities] == [
        ("test-essay", "Essay 1", {"words": 500}, 100.0),
        ("test-essay", "Essay 2", {"words": 800}, 20.0),
    ]
    for item, activity in zip(items, activities, strict=True):
        assert item["custom"] == {"peerlearn_activity": activity.key, "peerlearn_kind": ESSAY.key}
        assert item["url"] == world.tool_url + "/lti/launch"
        assert item["lineItem"] == {
            "scoreMaximum": activity.score_maximum,
            "label": activity.title,
            "resourceId": activity.key,
            "tag": ESSAY.key,
        }
    assert items[1]["text"] == "Second essay"
    # The platform made a gradebook column for each, tied to the new resource link.
    columns = {item["resourceLinkId"]: item for item in lms.gradebook.items.values()}
    new_links = [link for link in lms.links.values() if link.line_item_id]
    assert {link.id for link in new_links} == set(columns)

    # Launching a new link finds its activity and learns its gradebook column.
    second = next(link for link in new_links if link.title == "Essay 2")
    _browser, launched = world.launch("demo-learner-1", link_id=second.id)
    assert launched.status == 200
    assert "Essay 2" in re.search(r'id="activity">([^<]+)', launched.text).group(1)
    with world.services.sessions() as session:
        stored = session.scalars(select(Activity).where(Activity.title == "Essay 2")).one()
        link_row = session.scalars(
            select(ResourceLink).where(ResourceLink.lti_id == second.id)
        ).one()
    assert link_row.activity_id == stored.id
    assert stored.line_item_url == lms.gradebook.url(second.line_item_id)

    # The same selection cannot be returned twice.
    again = browser.post(f"{world.tool_url}/app/deep-linking/return", {"ls": token})
    assert again.status == 409
    assert count(world, Activity) == 2


def test_a_single_item_and_cancelling(kinds: LtiWorld) -> None:
    world = kinds
    browser, _page, token = picker(world)
    back = add(browser, world, token, "test-notes", title="Reading notes", then="return")
    assert return_to_lms(browser, back).status == 200
    [response] = world.lms.platform.deep_linking_responses
    [item] = response[DL + "content_items"]
    assert "lineItem" not in item  # not graded

    browser, _page, token = picker(world)
    cancelled = browser.post(f"{world.tool_url}/app/deep-linking/cancel", {"ls": token})
    assert return_to_lms(browser, cancelled).status == 200
    assert world.lms.platform.deep_linking_responses[1][DL + "content_items"] == []
    assert count(world, Activity) == 1


def test_settings_are_checked_and_nothing_is_kept_on_mistakes(kinds: LtiWorld) -> None:
    world = kinds
    browser, _page, token = picker(world)
    form = browser.get(f"{world.tool_url}/app/deep-linking/test-essay?ls={token}")
    assert form.status == 200
    assert 'name="words"' in form.text
    wrong = add(browser, world, token, "test-essay", title="", words="-3", score_maximum="x")
    assert wrong.status == 422
    text = html.unescape(wrong.text)
    assert "Title is required." in text
    assert "Word limit must be at least 1." in text
    assert "Points in the gradebook must be a number." in text
    unknown = browser.get(f"{world.tool_url}/app/deep-linking/no-such-kind?ls={token}")
    assert unknown.status == 404
    done = browser.post(f"{world.tool_url}/app/deep-linking/return", {"ls": token})
    assert return_to_lms(browser, done).status == 200
    assert world.lms.platform.deep_linking_responses[0][DL + "content_items"] == []
    assert count(world, Activity) == 0


def test_learners_never_reach_the_picker(kinds: LtiWorld) -> None:
    world = kinds
    page = world.tampered_launch("demo-learner-1", link_id=DEEP_LINKING_HINT)
    assert page.status == 403
    assert page.error_code() == "staff_only_message"
    # A learner's own launch session cannot open the picker either.
    browser, launched = world.launch("demo-learner-1")
    token = launched.meta("peerlearn-session")
    for url in ("/app/deep-linking", "/app/deep-linking/test-essay"):
        assert browser.get(f"{world.tool_url}{url}?ls={token}").status == 403
    refused = add(browser, world, token, "test-essay", title="Sneaky", words="1", score_maximum="1")
    assert refused.status == 403
    # A teacher's ordinary launch session is not a picker either.
    browser, launched = world.launch("demo-teacher")
    token = launched.meta("peerlearn-session")
    assert browser.get(f"{world.tool_url}/app/deep-linking?ls={token}").status == 403
    assert count(world, Activity) == 0


def test_a_request_without_settings_is_refused_and_stores_nothing(world: LtiWorld) -> None:
    def drop_settings(claims: dict[str, Any]) -> None:
        del claims[DL + "deep_linking_settings"]

    page = world.tampered_launch("demo-teacher", drop_settings, link_id=DEEP_LINKING_HINT)
    assert page.status == 400
    assert "Deep Linking Settings" in page.text  # pylti1p3's message check refuses it
    from lti_tool.persistence.models import User  # noqa: PLC0415

    assert count(world, User) == 0


def placed(world: LtiWorld, browser: Browser, token: str) -> Any:
    """Place one graded essay through the picker; returns the LMS's new link."""
    back = add(
        browser,
        world,
        token,
        "test-essay",
        title="Essay",
        words="300",
        score_maximum="10",
        then="return",
    )
    assert return_to_lms(browser, back).status == 200
    return next(link for link in world.lms.platform.links.values() if link.line_item_id)


def test_course_copy_gets_its_own_copy_of_the_activity(kinds: LtiWorld) -> None:
    world = kinds
    browser, _page, token = picker(world)
    link = placed(world, browser, token)

    def copied(link_id: str) -> Any:
        def mutate(claims: dict[str, Any]) -> None:
            claims[CLAIM + "context"] = {**claims[CLAIM + "context"], "id": "copied-course"}
            claims[CLAIM + "resource_link"] = {"id": link_id, "title": "Essay"}

        return mutate

    for new_link_id in ("copy-link-1", "copy-link-2"):
        page = world.tampered_launch("demo-learner-1", copied(new_link_id), link_id=link.id)
        assert page.status == 200, page.text
    with world.services.sessions() as session:
        activities = session.scalars(select(Activity).order_by(Activity.id)).all()
        links = {row.lti_id: row.activity_id for row in session.scalars(select(ResourceLink)).all()}
    original, copy = activities
    assert copy.copied_from_id == original.id
    assert copy.context_id != original.context_id
    assert (copy.kind, copy.title, copy.settings) == (
        original.kind,
        original.title,
        original.settings,
    )
    assert links["copy-link-1"] == links["copy-link-2"] == copy.id

    # An activity key of another platform is not followed.
    def foreign(claims: dict[str, Any]) -> None:
        claims[CLAIM + "resource_link"] = {"id": "foreign-link"}
        claims[CLAIM + "custom"] = {"peerlearn_activity": "00000000-0000-0000-0000-000000000000"}

    assert world.tampered_launch("demo-learner-1", foreign).status == 200
    assert count(world, Activity) == 2


def test_submission_review_shows_one_learners_work(kinds: LtiWorld, world: LtiWorld) -> None:
    seen: list[SubmissionReview] = []

    def review(request: SubmissionReview) -> Response:
        seen.append(request)
        return Response(f"<p id='review'>Work of {request.learner_name}</p>")

    register_kind_pages(world.app, ESSAY.key, KindPages(submission_review=review))
    browser, _page, token = picker(world)
    link = placed(world, browser, token)
    world.launch("demo-learner-1", link_id=link.id)  # Grace Hopper has launched

    def review_of(sub: str) -> Any:
        def mutate(claims: dict[str, Any]) -> None:
            claims[CLAIM + "message_type"] = "LtiSubmissionReviewRequest"
            claims[CLAIM + "for_user"] = {"user_id": sub, "name": "From the LMS"}

        return mutate

    page = world.tampered_launch("demo-teacher", review_of("demo-learner-1"), link_id=link.id)
    assert page.status == 200, page.text
    assert "Work of Grace Hopper" in page.text
    assert seen[0].activity.kind == ESSAY.key
    assert seen[0].learner_id is not None
    never = world.tampered_launch("demo-teacher", review_of("someone-new"), link_id=link.id)
    assert "Work of From the LMS" in never.text
    assert seen[1].learner_id is None

    refused = world.tampered_launch("demo-learner-2", review_of("demo-learner-1"), link_id=link.id)
    assert refused.status == 403
    ags = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

    def welcome_link(claims: dict[str, Any]) -> None:
        review_of("demo-learner-1")(claims)
        claims[ags] = {**claims[ags], "lineitem": claims[ags]["lineitems"] + "/99"}

    # The course's welcome link opens no activity: nothing to review there.
    missing = world.tampered_launch("demo-teacher", welcome_link)
    assert missing.status == 404
    assert missing.error_code() == "no_submission_review"
