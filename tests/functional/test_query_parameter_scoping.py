"""Ids taken from a query string or a form are scoped like ids in paths (issue 12, item 5),
a companion of ``test_authorization_matrix.py`` for the parameters that name rows: the
library's ``?author=`` and ``?topic=`` with another course's and another platform's ids,
the grades API's ``user_id``, and the peer review staff forms' learner and reviewer ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from lti_tool.persistence.models import User
from tests.factories.library import Library as LibraryRows
from tests.factories.library_visits import Library, second_platform
from tests.functional.conftest import LtiWorld
from tests.functional.test_activity_grades import graded_activity, send, user_id
from tests.functional.test_peer_review import Course

SECRET = "Zelda Quartermain"


def name_person(world: LtiWorld, user: int, name: str) -> None:
    with world.services.engine.begin() as connection:
        connection.execute(update(User).where(User.id == user).values(name=name, display_name=name))


@pytest.fixture
def library(world: LtiWorld) -> Library:
    visits = Library(world)
    visits.launch("learner", "demo-learner-1")
    return visits


def test_author_filter_never_names_someone_of_another_course(library: Library) -> None:
    library.launch_elsewhere("stranger", "demo-learner-2")
    name_person(library.world, library.user_of("stranger"), SECRET)

    page = library.get("learner", "/", author=str(library.user_of("stranger")))

    assert page.status == 200, page.text
    assert SECRET not in page.text
    assert "an unknown person" in page.text
    assert 'data-total="0"' in page.text


def test_author_filter_never_names_someone_of_another_platform(
    library: Library, tmp_path: Path
) -> None:
    with second_platform(library.world, tmp_path / "lms2") as other:
        library.launch_from("outsider", other, "demo-teacher")
        outsider = library.user_of("outsider")
        name_person(library.world, outsider, SECRET)
        library.issue_other_platform_session("rows-only")
        name_person(library.world, library.user_of("rows-only"), SECRET + " II")

        for person in (outsider, library.user_of("rows-only")):
            page = library.get("learner", "/", author=str(person))
            assert page.status == 200, page.text
            assert SECRET not in page.text
            assert "an unknown person" in page.text
        # Walking ids names nobody outside the course.
        for person in range(1, outsider + 3):
            assert SECRET not in library.get("learner", "/following", author=str(person)).text


def test_author_filter_still_names_a_member_of_the_course(library: Library) -> None:
    library.launch("classmate", "demo-learner-2")
    name_person(library.world, library.user_of("classmate"), "Ada Classmate")

    page = library.get("learner", "/", author=str(library.user_of("classmate")))

    assert page.status == 200, page.text
    assert "By Ada Classmate" in page.text


def test_topic_filter_of_another_course_lists_nothing(library: Library) -> None:
    library.launch_elsewhere("stranger", "demo-learner-2")
    with library.world.services.engine.begin() as connection:
        rows = LibraryRows(connection)
        theirs = rows.topic(library.context_of("stranger"), "Their secret topic")
        rows.tag(
            rows.item(
                library.context_of("stranger"), "Their item", author_id=library.user_of("stranger")
            ),
            theirs,
        )
    page = library.get("learner", "/", topic=str(theirs))
    assert page.status == 200, page.text
    assert "Their secret topic" not in page.text
    assert "Their item" not in page.text


def test_grades_api_refuses_a_person_of_another_course(world: LtiWorld) -> None:
    link, activity_id = graded_activity(world)
    world.launch("demo-learner-1", link_id=link.id)
    _browser, page = world.launch("demo-teacher", link_id=link.id)
    library = Library(world)
    library.launch_elsewhere("stranger", "demo-learner-3")
    for person in (library.user_of("stranger"), user_id(world, "demo-teacher") + 10_000):
        answer = send(
            world,
            page.meta("peerlearn-session"),
            activity_id,
            user_id=person,
            score_given=1,
            activity_progress="Completed",
            grading_progress="FullyGraded",
        )
        assert answer.status_code in {403, 404}, answer.text
        assert answer.headers["Content-Type"].startswith("application/problem+json")


def test_staff_forms_refuse_people_of_another_course(world: LtiWorld) -> None:
    course = Course(world)
    course.open("demo-teacher")
    library = Library(world)
    library.launch_elsewhere("stranger", "demo-learner-3")
    stranger = str(library.user_of("stranger"))
    override = course.post(
        "demo-teacher",
        "/overrides",
        learner=stranger,
        component="submission",
        value="100",
        reason="forged",
    )
    assert override.status in {403, 404, 422}, override.text
    added = course.post("demo-teacher", "/allocations", submission="1", reviewer=stranger)
    assert added.status in {403, 404, 409, 422}, added.text
