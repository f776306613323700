"""Map LTI role URIs to what a person may do in a Peerlearn course.

Only *context* (course membership) roles decide the course role: Canvas and Moodle also
send institution roles, and a student in this course who teaches elsewhere carries
``institution/person#Instructor``; that must not make them staff here. Administrators are
the exception: an institution or system administrator is staff everywhere.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
CONTEXT_PREFIX = LIS + "membership#"
SUBROLE_PREFIX = LIS + "membership/"
INSTITUTION_PREFIX = LIS + "institution/person#"
SYSTEM_PREFIX = LIS + "system/person#"

STAFF_CONTEXT_ROLES = frozenset(
    {"Instructor", "TeachingAssistant", "ContentDeveloper", "Administrator", "Mentor"}
)
ADMIN_ROLES = frozenset({"Administrator", "SysAdmin"})


class CourseRole(enum.StrEnum):
    """What Peerlearn lets someone do in a course; learner is the least privilege."""

    STAFF = "staff"
    LEARNER = "learner"

    @property
    def label(self) -> str:
        return {CourseRole.STAFF: "Staff", CourseRole.LEARNER: "Learner"}[self]


@dataclass(frozen=True)
class ParsedRole:
    scope: str  # "context", "institution", "system" or "unknown"
    name: str
    subrole: str | None = None


def parse_role(uri: str) -> ParsedRole:
    """Split one role URI (full, sub-role or deprecated short form) into its parts."""
    role = uri.strip()
    if role.startswith(CONTEXT_PREFIX):
        return ParsedRole("context", role.removeprefix(CONTEXT_PREFIX))
    if role.startswith(SUBROLE_PREFIX):
        principal, _, subrole = role.removeprefix(SUBROLE_PREFIX).partition("#")
        # A sub-role such as Instructor#TeachingAssistant names its own capability.
        return ParsedRole("context", subrole or principal, subrole=subrole or None)
    if role.startswith(INSTITUTION_PREFIX):
        return ParsedRole("institution", role.removeprefix(INSTITUTION_PREFIX))
    if role.startswith(SYSTEM_PREFIX):
        return ParsedRole("system", role.removeprefix(SYSTEM_PREFIX))
    if role and ":" not in role and "/" not in role and "#" not in role:
        # LTI 1.3 still allows the short context role names ("Instructor").
        return ParsedRole("context", role)
    return ParsedRole("unknown", role)


def is_administrator(roles: Iterable[str]) -> bool:
    """An LMS administrator (institution or system), who may see Peerlearn's operations."""
    for uri in roles:
        parsed = parse_role(uri)
        if parsed.scope in {"institution", "system"} and parsed.name in ADMIN_ROLES:
            return True
    return False


def course_role(roles: Iterable[str]) -> CourseRole:
    """Staff for a staff context role or an administrator; otherwise learner."""
    for uri in roles:
        parsed = parse_role(uri)
        if parsed.scope == "context" and parsed.name in STAFF_CONTEXT_ROLES:
            return CourseRole.STAFF
        if parsed.scope in {"institution", "system"} and parsed.name in ADMIN_ROLES:
            return CourseRole.STAFF
    return CourseRole.LEARNER
