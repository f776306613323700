"""Roster rules without the app: members, statuses, what a sync writes, when it is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.roles import CourseRole
from lti_tool.domain.roster import (
    MemberStatus,
    RosterMember,
    StoredPerson,
    member_status,
    parse_members,
    person_changed,
    plan_sync,
    request_key,
    sync_due,
)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEN = timedelta(minutes=10)


def test_statuses_default_to_active() -> None:
    assert member_status("Inactive") is MemberStatus.INACTIVE
    assert member_status(" deleted ") is MemberStatus.DELETED
    assert member_status(None) is MemberStatus.ACTIVE
    assert member_status("Suspended") is MemberStatus.ACTIVE
    assert member_status(3) is MemberStatus.ACTIVE


def test_parse_members_keeps_what_was_sent() -> None:
    [teacher, learner] = parse_members(
        [
            {"user_id": "t", "roles": [LIS + "Instructor"], "name": " Ada ", "email": "a@x"},
            {"user_id": "l", "roles": [LIS + "Learner", 7], "status": "Inactive"},
        ]
    )
    assert teacher == RosterMember(sub="t", roles=(LIS + "Instructor",), name="Ada", email="a@x")
    assert teacher.course_role is CourseRole.STAFF
    assert (learner.roles, learner.status, learner.name) == (
        (LIS + "Learner",),
        MemberStatus.INACTIVE,
        None,
    )
    assert learner.course_role is CourseRole.LEARNER


def test_roster_mentors_are_observers_never_staff() -> None:
    """Canvas lists observers (parents) as Mentor: never staff, never allocated work."""
    observer, learner_observing = parse_members(
        [
            {"user_id": "o", "roles": [LIS + "Mentor"]},
            {"user_id": "lo", "roles": [LIS + "Learner", LIS + "Mentor"]},
        ]
    )
    assert observer.course_role is CourseRole.OBSERVER
    assert learner_observing.course_role is CourseRole.LEARNER


def test_parse_members_skips_junk_and_keeps_the_last_entry_per_user() -> None:
    found = parse_members(
        ["nope", {"roles": []}, {"user_id": ""}, {"user_id": "u", "name": "Old"}, {"user_id": "u"}]
    )
    assert found == [RosterMember(sub="u", roles=())]


def test_withheld_names_do_not_count_as_changes() -> None:
    stored = StoredPerson(user_id=1, name="Grace Hopper", email="g@x")
    assert not person_changed(stored, RosterMember(sub="g", roles=()))
    assert not person_changed(stored, RosterMember(sub="g", roles=(), name="Grace Hopper"))
    assert person_changed(stored, RosterMember(sub="g", roles=(), name="Grace B. Hopper"))
    assert person_changed(None, RosterMember(sub="g", roles=()))


def test_a_full_roster_departs_everyone_it_omits() -> None:
    stored = {
        "stays": StoredPerson(user_id=1, name="A"),
        "leaves": StoredPerson(user_id=2),
        "gone": StoredPerson(user_id=3, status="Deleted"),
        "launched-only": StoredPerson(user_id=4),
    }
    listed = [
        RosterMember(sub="stays", roles=(), name="A"),
        RosterMember(sub="new", roles=(), name="N"),
    ]
    plan = plan_sync(stored, listed, full=True)
    assert [m.sub for m in plan.people] == ["new"]
    assert plan.members == listed
    assert plan.departed_user_ids == [2, 4]


def test_differences_depart_nobody_by_omission() -> None:
    stored = {"a": StoredPerson(user_id=1), "b": StoredPerson(user_id=2)}
    deleted = RosterMember(sub="b", roles=(), status=MemberStatus.DELETED)
    plan = plan_sync(stored, [deleted], full=False)
    assert (plan.people, plan.members, plan.departed_user_ids) == ([], [deleted], [])


@given(
    stored=st.dictionaries(st.text(min_size=1, max_size=4), st.integers(1, 10**6), max_size=30),
    listed=st.sets(st.text(min_size=1, max_size=4), max_size=30),
)
def test_full_plans_depart_exactly_the_omitted(stored: dict[str, int], listed: set[str]) -> None:
    plan = plan_sync(
        {sub: StoredPerson(user_id=user_id) for sub, user_id in stored.items()},
        [RosterMember(sub=sub, roles=()) for sub in sorted(listed)],
        full=True,
    )
    assert sorted(plan.departed_user_ids) == sorted(
        user_id for sub, user_id in stored.items() if sub not in listed
    )
    assert {m.sub for m in plan.people} == listed - set(stored)


def test_only_staff_launches_ask_for_a_sync_and_at_most_once_per_interval() -> None:
    def due(role: CourseRole, synced_at: datetime | None, *, service: bool = True) -> bool:
        return sync_due(
            role=role, has_roster_service=service, synced_at=synced_at, now=NOW, interval=TEN
        )

    assert due(CourseRole.STAFF, None)
    assert due(CourseRole.STAFF, NOW - TEN)
    assert not due(CourseRole.STAFF, NOW - timedelta(minutes=9))
    assert not due(CourseRole.LEARNER, None)
    assert not due(CourseRole.STAFF, None, service=False)


def test_requests_within_a_window_share_a_key() -> None:
    start = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert request_key(7, start, TEN) == request_key(7, start + timedelta(minutes=9), TEN)
    assert request_key(7, start, TEN) != request_key(7, start + TEN, TEN)
    assert request_key(7, start, TEN) != request_key(8, start, TEN)
    assert request_key(7, start, TEN) != request_key(7, start, TEN, kind="manual")
