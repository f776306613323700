"""Course groups from the LMS (LTI Course Groups Service) against the demo LMS on
loopback: endpoints kept from staff launches, pages followed, groups and members stored by
the queued roster sync, and a peer review activity allocating with the LMS's groups."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lti_tool.cli.lti import group_sync, roster_sync
from lti_tool.courses.lms_groups import GroupSync
from lti_tool.courses.roster_worker import RosterWorker
from lti_tool.demo.course_groups import DemoGroup
from lti_tool.domain.course_groups import GROUPS_SCOPE
from lti_tool.lti.course_groups import CourseGroupsClient, GroupsError
from lti_tool.lti.nrps import NrpsClient
from lti_tool.persistence.models import Context, LmsGroup, LmsGroupMember, User
from lti_tool.persistence.peer_review_models import ActivityChange, ReviewGroup
from tests.functional.conftest import LtiWorld
from tests.functional.test_dynamic_registration import running_tool
from tests.functional.test_peer_review import LEARNERS, Course, review_links
from tests.support.registration_platform import NRPS, running_registration_platform

GROUPS = "/gs/groups"
SETS = "/gs/groupsets"


def context_row(world: LtiWorld) -> Context:
    with world.services.sessions() as session:
        return session.scalars(select(Context)).one()


def stored_groups(world: LtiWorld) -> dict[str, tuple[str, str | None, str | None, set[str]]]:
    """lms_id -> (name, set id, set name, member subs)."""
    with world.services.sessions() as session:
        groups = {
            g.id: (g.lms_id, g.name, g.set_lms_id, g.set_name)
            for g in session.scalars(select(LmsGroup))
        }
        members = session.execute(
            select(LmsGroupMember.group_id, User.sub).join(User, User.id == LmsGroupMember.user_id)
        ).all()
    found: dict[str, tuple[str, str | None, str | None, set[str]]] = {}
    for pk, (lms_id, name, set_id, set_name) in groups.items():
        found[lms_id] = (name, set_id, set_name, {sub for gid, sub in members if gid == pk})
    return found


def worker(world: LtiWorld) -> RosterWorker:
    return RosterWorker(
        world.services.engine, roster_sync(world.services), groups=group_sync(world.services)
    )


def client(world: LtiWorld) -> tuple[CourseGroupsClient, object]:
    services = world.services
    platform = services.registrations.find(world.lms.platform.issuer, world.lms.platform.client_id)
    assert platform is not None
    nrps = NrpsClient(services.service_tokens, http=services.http)
    return CourseGroupsClient(services.service_tokens, nrps, http=services.http), platform


def test_only_staff_launches_keep_the_groups_endpoints(world: LtiWorld) -> None:
    world.launch("demo-learner-1")
    assert (context_row(world).groups_url, context_row(world).groupsets_url) == (None, None)
    world.launch("demo-teacher")
    groups = world.lms.platform.course_groups
    assert context_row(world).groups_url == groups.groups_url
    assert context_row(world).groupsets_url == groups.groupsets_url
    # A later launch without the claim does not forget them.
    groups.offered = False
    world.launch("demo-teacher")
    assert context_row(world).groups_url == groups.groups_url


@pytest.mark.parametrize("query", ["", "?limit=2"])
def test_groups_and_sets_are_read_page_by_page(world: LtiWorld, query: str) -> None:
    lms = world.lms.platform.course_groups
    lms.query = query
    reader, platform = client(world)
    groups = reader.groups(platform, lms.groups_url)
    assert [(g.lms_id, g.name, g.set_ids, g.tag) for g in groups] == [
        ("team-red", "Red team", ("teams",), None),
        ("team-blue", "Blue team", ("teams",), None),
        ("lab-a", "Lab A", ("labs",), None),
        ("lab-b", "Lab B", ("labs",), None),
        ("circle", "Study circle", (), "extra"),
    ]
    assert world.lms.hits[GROUPS] == (3 if query else 1)
    sets = reader.group_sets(platform, lms.groupsets_url)
    assert [(s.lms_id, s.name) for s in sets] == [
        ("teams", "Project teams"),
        ("labs", "Lab sections"),
    ]
    mine = reader.groups(platform, lms.groups_url, user_id="demo-learner-2")
    assert {g.lms_id for g in mine} == {"team-red", "lab-b"}
    members = reader.members(platform, world.lms.platform.memberships_url, "team-blue")
    assert members == ["demo-learner-3", "demo-learner-4"]


def test_a_refused_groups_service_is_an_error_with_its_status(world: LtiWorld) -> None:
    reader, platform = client(world)
    with pytest.raises(GroupsError) as refused:
        reader.groups(platform, world.lms.base_url + "/gs/nowhere")
    assert refused.value.http_status == 404
    with pytest.raises(GroupsError) as unknown:
        reader.members(platform, world.lms.platform.memberships_url, "no-such-group")
    assert unknown.value.http_status == 404


def test_the_queued_sync_stores_groups_and_members(world: LtiWorld) -> None:
    world.launch("demo-teacher")  # names the services and queues a roster sync
    assert worker(world).run_once() == 1
    stored = stored_groups(world)
    assert stored == {
        "team-red": ("Red team", "teams", "Project teams", {"demo-learner-1", "demo-learner-2"}),
        "team-blue": ("Blue team", "teams", "Project teams", {"demo-learner-3", "demo-learner-4"}),
        "lab-a": ("Lab A", "labs", "Lab sections", {"demo-learner-1", "demo-learner-3"}),
        "lab-b": ("Lab B", "labs", "Lab sections", {"demo-learner-2", "demo-learner-4"}),
        "circle": ("Study circle", None, None, {"demo-learner-1", "demo-learner-4"}),
    }
    assert context_row(world).groups_synced_at is not None
    # The LMS changes its groups: the next sync follows, gone groups go.
    lms = world.lms.platform.course_groups
    lms.groups = [g for g in lms.groups if g.id != "circle"]
    lms.groups[0] = DemoGroup("team-red", "Red squad", ("demo-learner-1",), ("teams",))
    result = group_sync(world.services).sync(context_row(world).id)
    assert (result.kind, result.groups, result.members) == ("full", 4, 7)
    stored = stored_groups(world)
    assert "circle" not in stored
    assert stored["team-red"] == ("Red squad", "teams", "Project teams", {"demo-learner-1"})


def test_a_course_without_groups_service_has_nothing_to_sync(world: LtiWorld) -> None:
    world.lms.platform.course_groups.offered = False
    world.launch("demo-teacher")
    sync: GroupSync = group_sync(world.services)
    assert sync.sync(context_row(world).id).kind == "none"
    assert world.lms.hits[GROUPS] == 0


def test_an_activity_allocates_with_the_lms_groups(world: LtiWorld) -> None:
    course = Course(world, group_policy="avoid-own-group")
    for learner in LEARNERS:
        course.open(learner)
    course.open("demo-teacher")
    page = course.get("demo-teacher", "/groups")
    assert page.status == 200
    assert "Not read from the LMS yet" in page.text
    assert re.search(r"<title>Groups · [^<]*</title>", page.text), "one title, no markup in it"
    assert page.text.count('id="lms-groups"') == 1
    assert worker(world).run_once() >= 1
    page = course.get("demo-teacher", "/groups")
    assert "Group set: Project teams (2 groups)" in page.text

    # Learners may not choose; an unknown set is refused; staff choose the teams.
    assert course.post("demo-learner-1", "/groups/lms", set="teams").status == 403
    assert course.post("demo-teacher", "/groups/lms", set="nope").status == 400
    chosen = course.post("demo-teacher", "/groups/lms", set="teams")
    assert chosen.status == 200
    assert "The LMS&#39;s groups are in use." in chosen.text
    assert "LMS: Red team" in chosen.text
    with world.services.engine.connect() as connection:
        ids = dict(connection.execute(select(User.sub, User.id)).all())
        rows = {
            user: (key, source)
            for user, key, source in connection.execute(
                select(ReviewGroup.user_id, ReviewGroup.group_key, ReviewGroup.source)
            )
        }
    teams = {"demo-learner-1": "Red team", "demo-learner-2": "Red team"}
    teams |= {"demo-learner-3": "Blue team", "demo-learner-4": "Blue team"}
    assert rows == {ids[sub]: (team, "lms") for sub, team in teams.items()}

    # A staff row wins over the LMS's and survives the next sync.
    saved = course.post("demo-teacher", "/groups", **{f"group-{ids['demo-learner-4']}": "Red team"})
    assert "Groups saved." in saved.text
    assert re.search(rf'data-learner="{ids["demo-learner-4"]}" data-source="staff"', saved.text)
    group_sync(world.services).sync(course_id := context_row(world).id)
    with world.services.engine.connect() as connection:
        sources = dict(connection.execute(select(ReviewGroup.user_id, ReviewGroup.source)).all())
    assert sources[ids["demo-learner-4"]] == "staff"
    assert sources[ids["demo-learner-3"]] == "lms"
    # Back to the LMS's own group for learner 4: staff clear it.
    course.post("demo-teacher", "/groups", **{f"group-{ids['demo-learner-4']}": ""})
    group_sync(world.services).sync(course_id)

    for learner in LEARNERS:
        course.post(learner, "/submission", text=f"Work of {learner}")
    assert course.post("demo-teacher", "/allocate").status == 200
    for learner in LEARNERS:
        reviewed = {
            re.search(r"Work of (demo-learner-\d)", course.get(learner, f"/reviews/{a}").text)[1]
            for a in review_links(course.get(learner).text)
        }
        assert reviewed
        assert all(teams[author] != teams[learner] for author in reviewed), (learner, reviewed)

    stopped = course.post("demo-teacher", "/groups/lms", use="0")
    assert "no longer used" in stopped.text
    with world.services.engine.connect() as connection:
        assert connection.scalar(select(ReviewGroup.id)) is None
        # Each change of the groups' source is on the activity's record, by whom.
        recorded = connection.execute(
            select(ActivityChange.changed_by, ActivityChange.changes).order_by(ActivityChange.id)
        ).all()
    assert [(by, changes["groups"]) for by, changes in recorded if "groups" in changes] == [
        (ids["demo-teacher"], {"source": "lms", "set": "teams"}),
        (ids["demo-teacher"], {"source": "staff", "set": None}),
    ]


def test_registration_asks_for_the_groups_scope_where_offered(
    tmp_path: Path, database_url: str
) -> None:
    offered = [NRPS, GROUPS_SCOPE, "openid"]
    with (
        running_tool(tmp_path, database_url) as tool,
        running_registration_platform("moodle", overrides={"scopes_supported": offered}) as lms,
    ):
        assert tool.register(lms).status_code == 200
        config = requests.get(tool.url + "/lti/config", timeout=10).text
        canvas = requests.get(tool.url + "/lti/canvas.json", timeout=10).json()
    assert lms.registrations[0].body["scope"].split() == [NRPS, GROUPS_SCOPE]
    assert GROUPS_SCOPE in config
    assert GROUPS_SCOPE not in canvas["scopes"]  # Canvas refuses scopes it does not know
