"""A rubric from the course's library placed through the deep-linking picker and the
settings page; another course's rubrics are never offered nor accepted."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from lti_tool.domain.peer_review.rubric_text import parse_rubric_text
from lti_tool.domain.peer_review.settings import settings_from_dict
from lti_tool.domain.peer_review.settings_form import SAMPLE_RUBRIC_TEXT
from lti_tool.peer_review import rubric_library
from lti_tool.persistence.models import Activity, Context, User
from tests.functional.conftest import LtiWorld
from tests.functional.test_deep_linking import add, picker, return_to_lms
from tests.functional.test_peer_review import CLAIM, Course
from tests.functional.test_peer_review_staff import _settings_form

LAB = """\
Method
Are the steps repeatable?
- 0 | Missing | No method
- 3 | Complete | Every step given

Results
- 0 | Absent | None shown
- 1 | Partial | Some shown
- 5 | Full | All shown with units
"""
POSTER = """\
Layout
- 0 | Cluttered | Hard to read
- 2 | Clean | Easy to read
"""
SECRET = """\
Secret criterion of another course
- 0 | No | n
- 7 | Yes | y
"""


def save_rubric(world: LtiWorld, context_lti_id: str, title: str, text: str) -> int:
    with world.services.engine.begin() as connection:
        context_id = connection.scalars(
            select(Context.id).where(Context.lti_id == context_lti_id)
        ).one()
        teacher = connection.scalars(select(User.id).where(User.sub == "demo-teacher")).one()
        return rubric_library.save(
            connection,
            context_id=context_id,
            title=title,
            rubric=parse_rubric_text(text),
            by=teacher,
            now=datetime.now(UTC),
        )


def another_course(world: LtiWorld) -> str:
    def elsewhere(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {"id": "another-course", "title": "Elsewhere"}
        claims[CLAIM + "resource_link"] = {"id": "elsewhere-link"}

    assert world.tampered_launch("demo-teacher", elsewhere).status == 200
    return "another-course"


def criteria(world: LtiWorld) -> list[str]:
    with world.services.sessions() as session:
        stored = settings_from_dict(session.scalars(select(Activity.settings)).one())
    return [criterion.title for criterion in stored.rubric.criteria]


def options(page_text: str) -> dict[str, str]:
    found = re.search(r'<select id="f-saved_rubric".*?</select>', page_text, re.S)
    assert found is not None, page_text
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found.group(0)))


def test_a_saved_rubric_is_placed_through_the_picker(world: LtiWorld) -> None:
    browser, _page, token = picker(world)
    with world.services.sessions() as session:
        (course_id,) = session.scalars(select(Context.lti_id)).all()
    lab = save_rubric(world, course_id, "Lab report", LAB)
    secret = save_rubric(world, another_course(world), "Secret", SECRET)

    form = browser.get(f"{world.tool_url}/app/deep-linking/peer-review?ls={token}")
    assert form.status == 200
    assert options(form.text) == {"": "(none)", str(lab): "Lab report (8 points)"}
    assert "Secret" not in form.text

    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    fields = {
        "title": "Lab review",
        "allow_text": "on",
        "submissions_due": due,
        "reviews_per_submission": "2",
        "score_maximum": "100",
    }
    # Another course's rubric, even with its id guessed, is refused; nothing is kept.
    refused = add(
        browser, world, token, "peer-review", saved_rubric=str(secret), rubric="", **fields
    )
    assert refused.status == 422
    assert 'id="error-saved_rubric"' in refused.text
    assert "Secret criterion" not in refused.text

    back = add(
        browser,
        world,
        token,
        "peer-review",
        saved_rubric=str(lab),
        rubric="",
        then="return",
        **fields,
    )
    assert back.status == 200, back.text
    assert return_to_lms(browser, back).status == 200
    with world.services.sessions() as session:
        stored = session.scalars(select(Activity.settings)).one()
    placed = settings_from_dict(stored)
    assert [c.title for c in placed.rubric.criteria] == ["Method", "Results"]
    assert placed.rubric.max_points == 8
    assert "saved_rubric" not in stored


def test_typed_rubric_wins_and_the_settings_page_offers_the_library(world: LtiWorld) -> None:
    course = Course(world)
    with world.services.sessions() as session:
        course_id = session.scalars(
            select(Context.lti_id).join(Activity, Activity.context_id == Context.id)
        ).one()
    poster = save_rubric(world, course_id, "Poster", POSTER)
    secret = save_rubric(world, another_course(world), "Secret", SECRET)
    course.open("demo-teacher")
    page = course.get("demo-teacher", "/settings")
    assert page.status == 200
    assert options(page.text) == {"": "(none)", str(poster): "Poster (2 points)"}

    # A rubric the teacher typed wins over the picked one.
    typed = course.post(
        "demo-teacher", "/settings", **_settings_form(course, saved_rubric=str(poster), rubric=LAB)
    )
    assert typed.status == 200, typed.text
    assert "Settings saved" in typed.text
    assert criteria(world) == ["Method", "Results"]
    foreign = course.post(
        "demo-teacher", "/settings", **_settings_form(course, saved_rubric=str(secret), rubric="")
    )
    assert foreign.status == 422
    assert 'id="error-saved_rubric"' in foreign.text
    # Emptied: the picked rubric is used (nothing submitted yet, so it may change).
    done = course.post(
        "demo-teacher", "/settings", **_settings_form(course, saved_rubric=str(poster), rubric="")
    )
    assert done.status == 200, done.text
    assert "Settings saved" in done.text
    assert criteria(world) == ["Layout"]
    # Left as first shown (the sample rubric) also counts as not typed.
    assert (
        course.post("demo-teacher", "/settings", **_settings_form(course, rubric=LAB)).status == 200
    )
    sample = course.post(
        "demo-teacher",
        "/settings",
        **_settings_form(course, saved_rubric=str(poster), rubric=SAMPLE_RUBRIC_TEXT),
    )
    assert sample.status == 200
    assert criteria(world) == ["Layout"]
