"""Roster sync against a real LMS (lti1p3platform) on loopback: pages, statuses,
differences, the throttled request after staff launches, the staff page and endpoint."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from lti_tool.cli.lti import roster_sync
from lti_tool.cli.main import main
from lti_tool.courses.roster import TOPIC, SyncResult
from lti_tool.courses.roster_worker import RosterWorker
from lti_tool.demo.platform import LEARNER, Person
from lti_tool.persistence.models import Context, Membership, OutboxMessage, User
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser

ROSTER = "/nrps/memberships"


@dataclass(frozen=True)
class Stored:
    status: str
    launched: bool
    seen: bool
    name: str | None


def course_id(world: LtiWorld) -> int:
    with world.services.sessions() as session:
        return session.scalars(select(Context.id)).one()


def context_row(world: LtiWorld) -> Context:
    with world.services.sessions() as session:
        return session.scalars(select(Context)).one()


def members(world: LtiWorld) -> dict[str, Stored]:
    with world.services.sessions() as session:
        rows = session.execute(
            select(User.sub, User.name, Membership.status, Membership.last_launch_at)
            .add_columns(Membership.roster_seen_at)
            .join(Membership, Membership.user_id == User.id)
        )
        return {
            sub: Stored(status, launched is not None, seen is not None, name)
            for sub, name, status, launched, seen in rows
        }


def sync(world: LtiWorld, **options: bool) -> SyncResult:
    return roster_sync(world.services).sync(course_id(world), **options)


def requests_queued(world: LtiWorld) -> list[OutboxMessage]:
    with world.services.sessions() as session:
        return list(session.scalars(select(OutboxMessage).where(OutboxMessage.topic == TOPIC)))


def teacher_with_roster(world: LtiWorld, query: str = "") -> None:
    """A teacher's launch, which names the roster URL (with ``query``) to Peerlearn."""
    world.lms.platform.memberships_url += query
    world.launch("demo-teacher")


def within_one_window(minutes: int) -> None:
    """Wait out the end of a sync window, so two launches fall in the same one."""
    left = minutes * 60 - time.time() % (minutes * 60)
    if left < 15:
        time.sleep(left + 0.1)


@pytest.mark.parametrize("query", ["?limit=2", "?limit=2&next=body"])
def test_full_sync_reads_every_page(world: LtiWorld, query: str) -> None:
    teacher_with_roster(world, query)
    result = sync(world)

    assert (result.kind, result.listed, result.departed) == ("full", 5, 0)
    assert world.lms.hits[ROSTER] == 3  # five members, two per page
    stored = members(world)
    assert set(stored) == {
        "demo-teacher",
        "demo-learner-1",
        "demo-learner-2",
        "demo-learner-3",
        "demo-learner-4",
    }
    assert {s.status for s in stored.values()} == {"Active"}
    assert all(s.seen for s in stored.values())
    # Only the teacher launched; everyone else is known from the roster alone.
    assert [sub for sub, s in stored.items() if s.launched] == ["demo-teacher"]
    assert stored["demo-learner-2"].name == "Alan Turing"
    with world.services.sessions() as session:
        alan = session.scalars(select(User).where(User.sub == "demo-learner-2")).one()
    assert (alan.given_name, alan.family_name, alan.last_launch_at) == ("Alan", "Turing", None)
    context = context_row(world)
    assert context.roster_synced_at is not None
    assert "since=" in (context.roster_differences_url or "")


def test_a_member_gone_from_the_full_roster_is_deleted(world: LtiWorld) -> None:
    world.lms.platform.offer_differences = False
    teacher_with_roster(world)
    sync(world)
    world.lms.platform.set_status("demo-learner-3", "Deleted")  # unenrolled: not listed

    result = sync(world)

    assert (result.kind, result.listed, result.departed) == ("full", 4, 1)
    stored = members(world)
    assert stored["demo-learner-3"].status == "Deleted"
    assert {sub for sub, s in stored.items() if s.status == "Active"} == {
        "demo-teacher",
        "demo-learner-1",
        "demo-learner-2",
        "demo-learner-4",
    }


def test_differences_link_is_used_when_offered(world: LtiWorld) -> None:
    teacher_with_roster(world, "?limit=2")
    sync(world)
    lms = world.lms.platform
    lms.set_status("demo-learner-2", "Inactive")
    lms.set_status("demo-learner-3", "Deleted")
    lms.enrol(Person("demo-learner-5", "Mary Jackson", (LEARNER,)))
    before = world.lms.hits[ROSTER]

    result = sync(world)

    assert (result.kind, result.listed, result.departed) == ("differences", 3, 0)
    assert world.lms.hits[ROSTER] - before == 2  # three changes, two per page
    stored = members(world)
    assert (stored["demo-learner-2"].status, stored["demo-learner-3"].status) == (
        "Inactive",
        "Deleted",
    )
    assert stored["demo-learner-5"] == Stored(
        "Active", launched=False, seen=True, name="Mary Jackson"
    )
    assert stored["demo-learner-1"].status == "Active"
    # Nothing changed since: the next differences are empty, and nobody is removed.
    assert sync(world).listed == 0
    assert members(world) == stored


def test_a_refused_differences_link_falls_back_to_a_full_sync(world: LtiWorld) -> None:
    teacher_with_roster(world)
    sync(world)
    world.lms.platform.set_status("demo-learner-4", "Deleted")
    world.lms.platform.forget_changes()  # the stored differences link now answers 410

    result = sync(world)

    assert (result.kind, result.listed, result.departed) == ("full", 4, 1)
    assert members(world)["demo-learner-4"].status == "Deleted"


def test_full_is_forced_on_request(world: LtiWorld) -> None:
    teacher_with_roster(world)
    sync(world)
    assert sync(world, full=True).kind == "full"


def test_people_known_from_the_roster_can_launch(world: LtiWorld) -> None:
    world.lms.platform.offer_differences = False
    teacher_with_roster(world)
    world.lms.platform.set_status("demo-learner-2", "Deleted")
    sync(world)
    world.lms.platform.set_status("demo-learner-2", "Active")

    for person in ("demo-learner-1", "demo-learner-2"):
        _browser, page = world.launch(person)
        assert page.status == 200, page.text
    stored = members(world)
    assert stored["demo-learner-1"] == Stored(
        "Active", launched=True, seen=True, name="Grace Hopper"
    )
    assert stored["demo-learner-2"].status == "Active"  # a launch means Active
    assert stored["demo-learner-2"].launched


def test_a_course_without_roster_service_has_nothing_to_sync(world: LtiWorld) -> None:
    world.launch("demo-teacher")
    with world.services.engine.begin() as connection:
        connection.execute(update(Context).values(memberships_url=None))
    assert sync(world).kind == "none"
    assert world.lms.hits[ROSTER] == 0


def test_staff_launches_request_one_sync_per_window(world: LtiWorld) -> None:
    within_one_window(world.services.settings.roster_sync_minutes)
    world.launch("demo-learner-1")
    assert requests_queued(world) == []  # learners never ask for a sync

    world.launch("demo-teacher")
    world.launch("demo-teacher")
    [request] = requests_queued(world)
    assert world.lms.hits[ROSTER] == 0  # the launch itself never reads the roster

    worker = RosterWorker(world.services.engine, roster_sync(world.services))
    assert worker.run_once() == 1
    assert len(members(world)) == 5
    world.launch("demo-teacher")  # synced within the window: no new request
    assert [m.state for m in requests_queued(world)] == ["delivered"]
    assert request.message_key.startswith(f"{course_id(world)}:auto:")


def test_a_request_satisfied_by_a_later_sync_reads_nothing(world: LtiWorld) -> None:
    world.launch("demo-teacher")
    sync(world)  # e.g. from the command line, after the request
    reads = world.lms.hits[ROSTER]
    worker = RosterWorker(world.services.engine, roster_sync(world.services))
    assert worker.run_once() == 1
    assert world.lms.hits[ROSTER] == reads


def test_an_unreachable_lms_is_retried_later(world: LtiWorld) -> None:
    world.launch("demo-teacher")
    with world.services.engine.begin() as connection:
        connection.execute(
            update(Context).values(memberships_url="http://127.0.0.1:1/nrps/memberships")
        )
    worker = RosterWorker(world.services.engine, roster_sync(world.services))
    assert worker.run_once() == 0
    [request] = requests_queued(world)
    assert (request.state, request.attempts, request.lease_until) == ("pending", 1, None)
    assert request.next_attempt_at > time.time() + 10
    assert "failed" in (request.last_error or "")


def test_a_refused_roster_is_dead_lettered(world: LtiWorld) -> None:
    world.launch("demo-teacher")
    with world.services.engine.begin() as connection:
        connection.execute(
            update(Context).values(memberships_url=world.lms.base_url + "/nrps/nowhere")
        )
    worker = RosterWorker(world.services.engine, roster_sync(world.services))
    assert worker.run_once() == 0
    [request] = requests_queued(world)
    assert request.state == "dead"
    assert "HTTP 404" in (request.last_error or "")


def roster_page(world: LtiWorld, person: str) -> tuple[Browser, str]:
    browser, page = world.launch(person)
    return browser, page.meta("peerlearn-session")


def test_roster_page_and_sync_endpoint_are_for_staff(world: LtiWorld) -> None:
    browser, token = roster_page(world, "demo-learner-1")
    assert browser.get(f"{world.tool_url}/app/roster?ls={token}").status == 403
    refused = browser.post(f"{world.tool_url}/app/roster/sync", {"ls": token})
    assert refused.status == 403
    assert refused.error_code() == "staff_only"

    browser, token = roster_page(world, "demo-teacher")
    page = browser.get(f"{world.tool_url}/app/roster?ls={token}")
    assert page.status == 200
    assert page.text.count("<tr data-status") == 2  # the two who launched
    worker = RosterWorker(world.services.engine, roster_sync(world.services))
    worker.run_once()  # the staff launch's own request

    requested = browser.post(f"{world.tool_url}/app/roster/sync", {"ls": token}, follow=False)
    assert requested.status == 303
    page = browser.get(world.tool_url + requested.response.headers["Location"])
    assert 'id="sync-requested"' in page.text
    assert [m.message_key.split(":")[1] for m in requests_queued(world)] == ["auto", "manual"]
    world.lms.platform.enrol(Person("demo-learner-5", "Mary Jackson", (LEARNER,)))
    assert worker.run_once() == 1

    page = browser.get(f"{world.tool_url}/app/roster?ls={token}")
    assert page.text.count("<tr data-status") == 6
    assert page.text.count("never launched") == 4  # learners 2-5
    assert "Mary Jackson" in page.text


def test_sync_from_the_command_line(
    world: LtiWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    world.launch("demo-teacher")
    settings = world.services.settings
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "KEYS_DIR": str(settings.keys_dir),
        "INSTANCE_DIR": str(settings.instance_dir),
        "SECRET_KEY": settings.secret_key,
        "BASE_URL": settings.base_url,
    }.items():
        monkeypatch.setenv("PEERLEARN_" + name, value)

    assert main(["roster", "sync", "--lms-context", "demo-course-101"]) == 0
    assert "full sync, 5 members listed" in capsys.readouterr().out
    assert main(["roster", "sync", "--context", str(course_id(world))]) == 0
    assert "differences sync, 0 members listed" in capsys.readouterr().out
    assert main(["roster", "sync", "--lms-context", "nope"]) == 2
    assert "no course" in capsys.readouterr().err
    # The staff launch's request: satisfied by the syncs above, done without a read.
    reads = world.lms.hits[ROSTER]
    assert main(["lti", "deliver", "--once"]) == 0
    assert world.lms.hits[ROSTER] == reads
    assert [m.state for m in requests_queued(world)] == ["delivered"]


def test_token_requests_stay_one_per_scope_set(world: LtiWorld) -> None:
    teacher_with_roster(world, "?limit=1")
    sync(world)
    sync(world, full=True)
    assert sum(world.lms.platform.token_requests.values()) == 1
    assert datetime.now(UTC) - context_row(world).roster_synced_at < timedelta(minutes=1)
