"""Valid statements for delivery tests and benchmarks: one 'launched' per number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from xapi.statements import Person, Place, launched

PLACE = Place(
    base_url="https://peerlearn.example.edu",
    platform_pk=1,
    platform_issuer="https://lms.example.edu",
    platform_name="LMS",
    deployment_id="d1",
    context_pk=1,
    context_lti_id="c1",
    context_title="Course",
    link_pk=1,
    link_lti_id="l1",
    link_title="Week 1",
)


def sample_statement(number: int, salt: str = "launch") -> dict[str, Any]:
    return launched(
        launch_id=f"{salt}-{number}",
        person=Person(issuer="https://lms.example.edu", sub=f"user-{number % 500}"),
        place=PLACE,
        at=datetime.now(UTC),
        message_type="LtiResourceLinkRequest",
        roles=["Learner"],
    )
