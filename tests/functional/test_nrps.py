"""Names and Role Provisioning: the whole roster, however the platform pages it."""

from __future__ import annotations

import pytest

from lti_tool.lti.nrps import NrpsClient, RosterError
from tests.functional.conftest import LtiWorld

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def setup(world: LtiWorld):
    platform, claims = world.teacher_services()
    url = claims[NRPS_CLAIM]["context_memberships_url"]
    return NrpsClient(world.services.service_tokens), platform, url


@pytest.mark.parametrize("query", ["", "?limit=2", "?limit=2&next=body", "?limit=1"])
def test_whole_roster_is_read(world: LtiWorld, query: str) -> None:
    nrps, platform, url = setup(world)
    roster = nrps.roster(platform, url + query)
    assert [m["user_id"] for m in roster.members] == [
        "demo-teacher",
        "demo-learner-1",
        "demo-learner-2",
        "demo-learner-3",
        "demo-learner-4",
    ]
    assert roster.context["id"] == "demo-course-101"
    learner = roster.members[2]
    assert (learner["name"], learner["status"]) == ("Alan Turing", "Active")
    assert "email" not in roster.members[4]  # a learner who shares nothing


def test_token_renewed_once_on_401(world: LtiWorld) -> None:
    nrps, platform, url = setup(world)
    nrps.roster(platform, url)
    world.lms.platform.rotate_key()  # every token issued so far is now invalid
    assert len(nrps.roster(platform, url).members) == 5
    assert world.lms.hits["/token"] == 2


def test_unreachable_roster_is_a_clear_error(world: LtiWorld) -> None:
    nrps, platform, _url = setup(world)
    with pytest.raises(RosterError, match="failed"):
        nrps.roster(platform, "http://127.0.0.1:1/nrps/memberships")
