"""The demo LMS's people, course and placements: plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTRUCTOR = LIS + "Instructor"
LEARNER = LIS + "Learner"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DEEP_LINKING_HINT = "deep-linking"


class DemoError(ValueError):
    """The tool's auth request is not one this LMS will answer."""


@dataclass(frozen=True)
class Person:
    id: str
    name: str | None
    roles: tuple[str, ...]
    email: str | None = None
    given_name: str | None = None
    family_name: str | None = None


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    label: str
    link_id: str
    link_title: str


@dataclass(frozen=True)
class DemoLink:
    """A placement of the tool in the course, as deep linking or the demo created it."""

    id: str
    title: str
    text: str = ""
    custom: Mapping[str, str] = field(default_factory=dict)
    line_item_id: str | None = None


@dataclass(frozen=True)
class ToolEndpoints:
    login_url: str
    launch_url: str
    jwks_url: str


DEMO_PEOPLE = (
    Person("demo-teacher", "Ada Lovelace", (INSTRUCTOR,), "ada@example.edu", "Ada", "Lovelace"),
    Person("demo-learner-1", "Grace Hopper", (LEARNER,), "grace@example.edu", "Grace", "Hopper"),
    Person("demo-learner-2", "Alan Turing", (LEARNER,), None, "Alan", "Turing"),
    Person("demo-learner-3", "Katherine Johnson", (LEARNER,)),
    # Some LMSs send no personal data at all.
    Person("demo-learner-4", None, (LEARNER,)),
)
DEMO_COURSE = Course(
    "demo-course-101", "Peer Learning 101", "PL101", "demo-link-welcome", "Welcome to Peerlearn"
)


@dataclass(frozen=True)
class LaunchForm:
    """What the LMS posts to the tool: the browser submits it as a form."""

    action: str
    id_token: str
    state: str

    def fields(self) -> dict[str, str]:
        return {"id_token": self.id_token, "state": self.state}
