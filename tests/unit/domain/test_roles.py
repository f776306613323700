"""The role table, role by role, in every form an LMS sends (docs/security.md, "Roles")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.roles import (
    CourseRole,
    RoleScope,
    course_role,
    is_administrator,
    parse_role,
)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBERSHIP = LIS + "membership#"
INSTITUTION = LIS + "institution/person#"
SYSTEM = LIS + "system/person#"
STAFF, LEARNER, OBSERVER = CourseRole.STAFF, CourseRole.LEARNER, CourseRole.OBSERVER


def forms(name: str) -> list[str]:
    """A context role in each form: LTI 1.3 IRI, short name, LTI 1.1 URN."""
    return [MEMBERSHIP + name, name, "urn:lti:role:ims/lis/" + name]


# Every LTI 1.3 context role (core and non-core) and what it gives on its own.
CONTEXT_TABLE: dict[str, CourseRole] = {
    "Instructor": STAFF,
    "TeachingAssistant": STAFF,
    "ContentDeveloper": STAFF,
    "Administrator": STAFF,
    "Learner": LEARNER,
    "Mentor": OBSERVER,
    # Non-core roles give no course right: a launch with only them is a learner.
    "Manager": LEARNER,
    "Member": LEARNER,
    "Officer": LEARNER,
}

# Sub-roles give what their principal gives, whatever their own name says.
SUBROLE_TABLE: dict[str, CourseRole] = {
    "Instructor#TeachingAssistant": STAFF,
    "Instructor#PrimaryInstructor": STAFF,
    "Instructor#Grader": STAFF,
    "Instructor#GuestInstructor": STAFF,
    "ContentDeveloper#Librarian": STAFF,
    "Administrator#Support": STAFF,
    "Learner#Instructor": LEARNER,
    "Learner#NonCreditLearner": LEARNER,
    "Learner#GuestLearner": LEARNER,
    "Mentor#Advisor": OBSERVER,
    "Mentor#Instructor": OBSERVER,
    "Mentor#Reviewer": OBSERVER,
    "Mentor#TeachingAssistant": OBSERVER,
    "Member#Member": LEARNER,
    "Officer#Chair": LEARNER,
}

INSTITUTION_ROLES = [
    "Administrator",
    "Faculty",
    "Guest",
    "None",
    "Other",
    "Staff",
    "Student",
    "Alumni",
    "Instructor",
    "Learner",
    "Member",
    "Mentor",
    "Observer",
    "ProspectiveStudent",
]
SYSTEM_ROLES = [
    "Administrator",
    "None",
    "AccountAdmin",
    "Creator",
    "SysAdmin",
    "SysSupport",
    "User",
]


@pytest.mark.parametrize(("name", "expected"), CONTEXT_TABLE.items())
def test_each_context_role_in_each_form(name: str, expected: CourseRole) -> None:
    for role in forms(name):
        assert course_role([role]) is expected, role


@pytest.mark.parametrize(("subrole", "expected"), SUBROLE_TABLE.items())
def test_each_subrole_gives_its_principals_rights(subrole: str, expected: CourseRole) -> None:
    principal, _, name = subrole.partition("#")
    assert course_role([LIS + "membership/" + subrole]) is expected
    assert course_role(["urn:lti:role:ims/lis/" + principal + "/" + name]) is expected


@pytest.mark.parametrize("name", INSTITUTION_ROLES)
def test_institution_roles_give_no_course_rights(name: str) -> None:
    for role in (INSTITUTION + name, "urn:lti:instrole:ims/lis/" + name):
        assert course_role([role]) is LEARNER
        # ... and take none away: they never outweigh a context role.
        assert course_role([role, MEMBERSHIP + "Instructor"]) is STAFF
        assert course_role([role, MEMBERSHIP + "Mentor"]) is OBSERVER


@pytest.mark.parametrize("name", SYSTEM_ROLES)
def test_system_roles_give_no_course_rights(name: str) -> None:
    for role in (SYSTEM + name, "urn:lti:sysrole:ims/lis/" + name):
        assert course_role([role]) is LEARNER
        assert course_role([role, MEMBERSHIP + "Mentor"]) is OBSERVER


def test_a_learner_who_is_also_a_mentor_is_a_learner() -> None:
    """The attack of issue 12: Canvas sends [Learner, Mentor] for a student who observes."""
    assert course_role([MEMBERSHIP + "Learner", MEMBERSHIP + "Mentor"]) is LEARNER
    assert course_role(["Mentor", "Learner"]) is LEARNER
    assert (
        course_role([MEMBERSHIP + "Learner", MEMBERSHIP + "Mentor", INSTITUTION + "Student"])
        is LEARNER
    )


def test_an_lms_administrator_is_no_course_staff() -> None:
    """Moodle and Canvas send these for site and account administrators."""
    assert course_role([SYSTEM + "Administrator", INSTITUTION + "Administrator"]) is LEARNER
    assert course_role([SYSTEM + "SysAdmin"]) is LEARNER


@pytest.mark.parametrize(
    "roles",
    [
        [],
        [""],
        ["http://example.com/roles#Pirate"],
        ["http://example.com/roles#Instructor"],
        # Case matters: role names are IRIs.
        ["instructor"],
        [MEMBERSHIP + "instructor"],
        # Lookalikes of the vocabulary are not the vocabulary.
        ["https://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"],
        [MEMBERSHIP + "Instructor#Learner"],
        [MEMBERSHIP + "Instructor/x"],
        [LIS + "membership/Instructor"],
        [LIS + "membership/#Instructor"],
        [LIS + "membership/Learner#Instructor#x"],
        [INSTITUTION + "Administrator#x"],
        [LIS + "membership#Instructor\u200b"],
        ["urn:lti:role:ims/lis/Learner/Instructor/x"],
        ["urn:lti:role:ims/lis/"],
    ],
)
def test_no_role_we_know_is_a_learner(roles: list[str]) -> None:
    assert course_role(roles) is LEARNER


def test_parse_subrole() -> None:
    parsed = parse_role(LIS + "membership/Instructor#TeachingAssistant")
    assert (parsed.scope, parsed.name, parsed.subrole) == (
        RoleScope.CONTEXT,
        "Instructor",
        "TeachingAssistant",
    )
    assert parse_role(" Instructor ").name == "Instructor"
    assert parse_role(INSTITUTION + "Faculty").scope is RoleScope.INSTITUTION
    assert parse_role("urn:lti:sysrole:ims/lis/SysAdmin").scope is RoleScope.SYSTEM
    assert parse_role("x:y").scope is RoleScope.UNKNOWN


def test_observer_label() -> None:
    assert [role.label for role in CourseRole] == ["Staff", "Learner", "Observer"]


@given(st.lists(st.text(max_size=80), max_size=6))
def test_any_input_maps_to_a_role_without_error(roles: list[str]) -> None:
    assert course_role(roles) in set(CourseRole)


ANY_ROLE = st.sampled_from(
    [
        *(form for name in CONTEXT_TABLE for form in forms(name)),
        *(LIS + "membership/" + subrole for subrole in SUBROLE_TABLE),
        *(INSTITUTION + name for name in INSTITUTION_ROLES),
        *(SYSTEM + name for name in SYSTEM_ROLES),
        "x:y",
        "",
    ]
)
STAFF_ROLES = [
    role
    for role in [*CONTEXT_TABLE, *SUBROLE_TABLE]
    if (CONTEXT_TABLE | SUBROLE_TABLE)[role] is STAFF
]


@given(st.lists(ANY_ROLE, max_size=6), st.sampled_from(STAFF_ROLES))
def test_adding_a_staff_role_always_makes_staff(roles: list[str], staff: str) -> None:
    iri = MEMBERSHIP + staff if "#" not in staff else LIS + "membership/" + staff
    assert course_role([*roles, iri]) is STAFF


@given(st.lists(ANY_ROLE, max_size=6))
def test_staff_only_from_a_staff_context_role(roles: list[str]) -> None:
    """Whatever else a launch lists, staff needs one of the four staff principals."""
    principals = {parse_role(role).name for role in roles if parse_role(role).scope == "context"}
    staff = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator"}
    expected = bool(principals & staff)
    assert (course_role(roles) is STAFF) is expected


@given(st.lists(ANY_ROLE, max_size=6))
def test_order_does_not_matter(roles: list[str]) -> None:
    assert course_role(roles) is course_role(list(reversed(roles)))


def test_administrators() -> None:
    """The learning-records administration page keeps its own rule."""
    assert is_administrator([INSTITUTION + "Administrator"])
    assert is_administrator([SYSTEM + "SysAdmin"])
    assert is_administrator([SYSTEM + "Administrator"])
    assert is_administrator(["urn:lti:instrole:ims/lis/Administrator"])
    assert not is_administrator([MEMBERSHIP + "Administrator", "Instructor"])
    assert not is_administrator([INSTITUTION + "Faculty", SYSTEM + "User"])
