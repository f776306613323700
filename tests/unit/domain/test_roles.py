from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.roles import CourseRole, course_role, parse_role

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    "role",
    [
        LIS + "membership#Instructor",
        LIS + "membership#TeachingAssistant",
        LIS + "membership/Instructor#TeachingAssistant",
        LIS + "membership#ContentDeveloper",
        LIS + "membership#Administrator",
        LIS + "membership#Mentor",
        LIS + "institution/person#Administrator",
        LIS + "system/person#SysAdmin",
        "Instructor",
        "TeachingAssistant",
    ],
)
def test_staff_roles(role: str) -> None:
    assert course_role([role]) is CourseRole.STAFF


@pytest.mark.parametrize(
    "roles",
    [
        [LIS + "membership#Learner"],
        ["Learner"],
        [],
        ["http://example.com/roles#Pirate"],
        [""],
        # Teaching elsewhere in the institution does not make someone staff in this course.
        [LIS + "institution/person#Instructor", LIS + "membership#Learner"],
        [LIS + "institution/person#Faculty"],
        [LIS + "membership/Learner#NonCreditLearner"],
    ],
)
def test_everything_else_is_learner(roles: list[str]) -> None:
    assert course_role(roles) is CourseRole.LEARNER


def test_parse_subrole() -> None:
    parsed = parse_role(LIS + "membership/Instructor#TeachingAssistant")
    assert (parsed.scope, parsed.name, parsed.subrole) == (
        "context",
        "TeachingAssistant",
        "TeachingAssistant",
    )


@given(st.lists(st.text(max_size=80), max_size=6))
def test_any_input_maps_to_a_role_without_error(roles: list[str]) -> None:
    assert course_role(roles) in set(CourseRole)


@given(st.lists(st.sampled_from(["Learner", LIS + "membership#Learner", "x:y", ""]), max_size=5))
def test_adding_a_staff_role_always_makes_staff(roles: list[str]) -> None:
    assert course_role([*roles, LIS + "membership#Instructor"]) is CourseRole.STAFF


def test_administrators() -> None:
    from lti_tool.domain.roles import is_administrator  # noqa: PLC0415

    assert is_administrator([LIS + "institution/person#Administrator"])
    assert is_administrator([LIS + "system/person#SysAdmin"])
    assert not is_administrator([LIS + "membership#Administrator", "Instructor"])
