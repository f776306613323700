"""The role table through real launches (docs/security.md, "Roles: who is course staff").

Issue 12: Canvas maps its observer (parent) role to ``Mentor``; a launch with
``[Learner, Mentor]`` was staff and reached the dashboard, the reviews CSV with names,
the grades CSV and grade overrides. Now only Instructor, TeachingAssistant,
ContentDeveloper and context Administrator are staff, and a mentor alone is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from lti_tool.cli.lti import roster_sync
from lti_tool.demo.platform import Person
from lti_tool.persistence.models import Context, Membership, User
from lti_tool.persistence.peer_review_models import GradeOverride
from tests.functional.conftest import LtiWorld
from tests.functional.test_peer_review import CLAIM, Course
from tests.support.browser import Browser

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
MENTOR = LIS + "membership#Mentor"


def with_roles(*roles: str) -> Any:
    def mutate(claims: dict[str, Any]) -> None:
        claims[CLAIM + "roles"] = list(roles)

    return mutate


@pytest.fixture
def course(world: LtiWorld) -> Course:
    return Course(world)


def launch_as(course: Course, name: str, person: str, *roles: str) -> Any:
    page = course.world.tampered_launch(person, with_roles(*roles), link_id=course.link.id)
    if page.status == 200:
        course.sessions[name] = (Browser(), page.meta("peerlearn-session"))
    return page


def staff_tools(course: Course, who: str, learner: int) -> dict[str, int]:
    return {
        "dashboard": 200 if 'id="export-reviews"' in course.get(who).text else 403,
        "reviews.csv": course.get(who, "/reviews.csv").status,
        "grades.csv": course.get(who, "/grades.csv").status,
        "override": course.post(
            who, "/overrides", learner=str(learner), component="final", value="1", reason="x"
        ).status,
    }


def learner_id(world: LtiWorld, sub: str) -> int:
    with world.services.sessions() as session:
        return session.scalars(select(User.id).where(User.sub == sub)).one()


def test_a_learner_who_is_also_a_mentor_gets_no_staff_tool(course: Course, world: LtiWorld) -> None:
    course.open("demo-learner-1")
    assert course.post("demo-learner-1", "/submission", text="mine").status == 200
    learner = learner_id(world, "demo-learner-1")

    page = launch_as(course, "observer", "demo-learner-2", LEARNER, MENTOR)

    assert page.status == 200, page.text[:800]
    assert staff_tools(course, "observer", learner) == {
        "dashboard": 403,
        "reviews.csv": 403,
        "grades.csv": 403,
        "override": 403,
    }
    with world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(GradeOverride)) == 0
        membership = session.scalars(
            select(Membership).join(User).where(User.sub == "demo-learner-2")
        ).one()
    assert membership.course_role == "learner"
    assert membership.lti_roles == [LEARNER, MENTOR]


@pytest.mark.parametrize(
    "roles",
    [
        [MENTOR],
        ["Mentor"],
        [LIS + "membership/Mentor#Advisor"],
        [MENTOR, LIS + "institution/person#Administrator"],
        [MENTOR, LIS + "membership#Member"],
    ],
)
def test_a_mentor_launch_is_refused_with_a_clear_page(world: LtiWorld, roles: list[str]) -> None:
    page = world.tampered_launch("demo-learner-1", with_roles(*roles))

    assert page.status == 403, page.text[:800]
    assert page.error_code() == "observer_launch"
    assert "observer" in page.text
    assert 'name="peerlearn-session"' not in page.text
    with world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Membership)) == 0


@pytest.mark.parametrize(
    ("roles", "staff"),
    [
        ([LIS + "membership#Instructor"], True),
        ([LIS + "membership/Instructor#TeachingAssistant"], True),
        (["TeachingAssistant"], True),
        ([LIS + "membership#ContentDeveloper"], True),
        ([LIS + "membership#Administrator"], True),
        ([MENTOR, LIS + "membership#Instructor"], True),
        ([LIS + "membership/Learner#Instructor"], False),
        ([LIS + "institution/person#Instructor", LEARNER], False),
        ([LIS + "institution/person#Administrator"], False),
        ([LIS + "system/person#Administrator"], False),
        ([LIS + "membership#Member"], False),
    ],
)
def test_course_staff_only_from_the_four_staff_context_roles(
    course: Course, world: LtiWorld, roles: list[str], staff: bool
) -> None:
    course.open("demo-learner-1")
    learner = learner_id(world, "demo-learner-1")

    assert launch_as(course, "someone", "demo-learner-2", *roles).status == 200
    tools = staff_tools(course, "someone", learner)

    reviews_csv = 200 if staff else 403
    assert (tools["dashboard"], tools["reviews.csv"], tools["grades.csv"]) == ((reviews_csv,) * 3)


def test_an_lms_administrator_is_a_learner_who_keeps_the_records_page(world: LtiWorld) -> None:
    page = world.tampered_launch(
        "demo-learner-1",
        with_roles(LIS + "institution/person#Administrator", LIS + "system/person#SysAdmin"),
    )

    assert page.status == 200, page.text[:800]
    assert 'id="role">Learner<' in page.text
    records = Browser().get(
        world.tool_url + "/app/admin/learning-records?ls=" + page.meta("peerlearn-session")
    )
    assert records.status == 200, records.text[:800]


def test_roster_mentors_are_stored_as_observers_and_shown_so(world: LtiWorld) -> None:
    """An NRPS roster listing Canvas observers: never staff, never learners to allocate."""
    world.lms.platform.enrol(Person("parent-1", "A Parent", (MENTOR,)))
    world.lms.platform.enrol(Person("student-mentor", "Peer Mentor", (LEARNER, MENTOR)))
    browser, teacher = world.launch("demo-teacher")
    token = teacher.meta("peerlearn-session")
    with world.services.sessions() as session:
        context_id = session.scalars(select(Context.id)).one()
    roster_sync(world.services).sync(context_id)

    with world.services.sessions() as session:
        rows = session.execute(
            select(User.sub, Membership.course_role).join(Membership, Membership.user_id == User.id)
        )
        roles = dict(rows.all())
    assert roles["parent-1"] == "observer"
    assert roles["student-mentor"] == "learner"
    assert roles["demo-teacher"] == "staff"
    page = browser.get(f"{world.tool_url}/app/roster?ls={token}")
    assert page.status == 200
    assert page.text.count("<td>Observer</td>") == 1
