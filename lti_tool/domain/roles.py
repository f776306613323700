"""Map LTI role URIs to what a person may do in a Peerlearn course.

The LTI 1.3 role vocabulary (LTI Core 1.3, appendix A.2) has three scopes: context
(course membership) roles, institution roles and system roles. Only *context* roles
decide the course role: Canvas and Moodle also send institution and system roles, and a
student here who teaches elsewhere carries ``institution/person#Instructor``, an LMS
administrator ``system/person#Administrator``; neither makes anyone staff in this course.
(The learning-records administration page has its own rule: :func:`is_administrator`.)

One table, :data:`CONTEXT_ROLE_RIGHTS`, names what each context role gives:

- staff: ``Instructor``, ``TeachingAssistant``, ``ContentDeveloper``, ``Administrator``
  (and each of their sub-roles, such as ``membership/Instructor#TeachingAssistant``);
- learner: ``Learner`` and its sub-roles (``membership/Learner#Instructor`` is a
  learner who helps teach, not an instructor);
- observer: ``Mentor`` and its sub-roles. Canvas sends its observer (parent) role as
  ``Mentor``; an observer is never staff and never a peer.

A sub-role gives what its principal role gives, never what its own name suggests. The
strongest right in a launch wins (staff, then learner, then observer); a launch with no
context role we know (none at all, ``Member``, ``Manager``, ``Officer``, only
institution or system roles, or an unknown URI) is a learner, the least privilege that
still lets someone take part. Matching is exact: role names are case-sensitive IRIs.
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
# LTI 1.1 names, still sent by LMSs that migrated their LTI 1.1 role mapping.
LEGACY_CONTEXT_PREFIX = "urn:lti:role:ims/lis/"
LEGACY_INSTITUTION_PREFIX = "urn:lti:instrole:ims/lis/"
LEGACY_SYSTEM_PREFIX = "urn:lti:sysrole:ims/lis/"


class RoleScope(enum.StrEnum):
    CONTEXT = "context"
    INSTITUTION = "institution"
    SYSTEM = "system"
    UNKNOWN = "unknown"


class CourseRole(enum.StrEnum):
    """What Peerlearn lets someone do in a course.

    An observer (a mentor or parent) is neither staff nor a peer: Peerlearn has no
    observer pages yet, so an observer's launch is refused; rosters keep the role so
    observers are never allocated work or graded.
    """

    STAFF = "staff"
    LEARNER = "learner"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return {
            CourseRole.STAFF: "Staff",
            CourseRole.LEARNER: "Learner",
            CourseRole.OBSERVER: "Observer",
        }[self]


# The role table: context role (principal) -> course role. Anything else gives nothing.
CONTEXT_ROLE_RIGHTS: dict[str, CourseRole] = {
    "Instructor": CourseRole.STAFF,
    # Not a principal role in LTI 1.3 (it is Instructor#TeachingAssistant), but LTI 1.1
    # had it and LMSs still send membership#TeachingAssistant or the short name.
    "TeachingAssistant": CourseRole.STAFF,
    "ContentDeveloper": CourseRole.STAFF,
    "Administrator": CourseRole.STAFF,
    "Learner": CourseRole.LEARNER,
    "Mentor": CourseRole.OBSERVER,
}
# The strongest first: one staff role makes staff, whatever else the launch lists.
PRECEDENCE = (CourseRole.STAFF, CourseRole.LEARNER, CourseRole.OBSERVER)
# What a launch without any context role we know gets.
DEFAULT_ROLE = CourseRole.LEARNER
ADMIN_ROLES = frozenset({"Administrator", "SysAdmin"})


@dataclass(frozen=True)
class ParsedRole:
    scope: RoleScope
    name: str  # the principal role: "Instructor" for membership/Instructor#TeachingAssistant
    subrole: str | None = None


def _is_name(text: str) -> bool:
    return bool(text) and text.isascii() and text.isalnum()


@dataclass(frozen=True)
class _Form:
    prefix: str
    scope: RoleScope
    subrole_separator: str | None = None  # None: no sub-role in this form
    subrole_required: bool = False


# Every form a role may take, the most specific prefix first; the last one, the short
# context name ("Instructor"), is still allowed by LTI 1.3.
_FORMS = (
    _Form(CONTEXT_PREFIX, RoleScope.CONTEXT),
    # A sub-role always names its principal, as in Instructor#TeachingAssistant.
    _Form(SUBROLE_PREFIX, RoleScope.CONTEXT, "#", subrole_required=True),
    _Form(INSTITUTION_PREFIX, RoleScope.INSTITUTION),
    _Form(SYSTEM_PREFIX, RoleScope.SYSTEM),
    # urn:lti:role:ims/lis/Instructor, or .../Instructor/TeachingAssistant.
    _Form(LEGACY_CONTEXT_PREFIX, RoleScope.CONTEXT, "/"),
    _Form(LEGACY_INSTITUTION_PREFIX, RoleScope.INSTITUTION),
    _Form(LEGACY_SYSTEM_PREFIX, RoleScope.SYSTEM),
    _Form("", RoleScope.CONTEXT),
)


def _read(form: _Form, role: str) -> ParsedRole | None:
    text = role.removeprefix(form.prefix)
    if form.subrole_separator is None:
        return ParsedRole(form.scope, text) if _is_name(text) else None
    principal, found, subrole = text.partition(form.subrole_separator)
    if not _is_name(principal) or ((found or form.subrole_required) and not _is_name(subrole)):
        return None
    return ParsedRole(form.scope, principal, subrole or None)


def parse_role(uri: str) -> ParsedRole:
    """Split one role (LTI 1.3 IRI, sub-role IRI, short name or LTI 1.1 URN) into its parts.

    Anything that is not exactly one of these forms is ``unknown`` and gives no right.
    """
    role = uri.strip()
    form = next(form for form in _FORMS if role.startswith(form.prefix))
    return _read(form, role) or ParsedRole(RoleScope.UNKNOWN, role)


def context_rights(uri: str) -> CourseRole | None:
    """What one role gives in the course, or None (institution, system, unknown roles)."""
    parsed = parse_role(uri)
    if parsed.scope is not RoleScope.CONTEXT:
        return None
    return CONTEXT_ROLE_RIGHTS.get(parsed.name)


def is_administrator(roles: Iterable[str]) -> bool:
    """An LMS administrator (institution or system), who may see Peerlearn's operations.

    This is no course right: it opens the learning-records administration page only.
    """
    for uri in roles:
        parsed = parse_role(uri)
        if parsed.scope in {RoleScope.INSTITUTION, RoleScope.SYSTEM} and parsed.name in ADMIN_ROLES:
            return True
    return False


def course_role(roles: Iterable[str]) -> CourseRole:
    """The strongest course role the launch's context roles give; a learner without any."""
    granted = {context_rights(uri) for uri in roles}
    for role in PRECEDENCE:
        if role in granted:
            return role
    return DEFAULT_ROLE
