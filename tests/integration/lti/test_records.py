"""Recording launches: upserts on SQLite and PostgreSQL, and no writes for a relaunch."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, event, select, update

from lti_tool.domain.launch import CLAIM, parse_launch
from lti_tool.lti import records
from lti_tool.lti.records import record_launch
from lti_tool.persistence.models import Context, Membership, User
from tests.factories import lti as factories

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The suite's engine, with the launches' platform and deployment registered."""
    with engine.begin() as connection:
        platform_id = factories.platform(connection, name="", created_at=records.utcnow())
        factories.deployment(connection, platform_id)
    return engine


def claims(**changes: object):
    body = {
        "sub": "u1",
        "name": "Grace Hopper",
        "email": "grace@example.edu",
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "deployment_id": "d",
        CLAIM + "roles": [LIS + "Learner"],
        CLAIM + "context": {"id": "c1", "title": "Course", "label": "C1"},
        CLAIM + "resource_link": {"id": "r1", "title": "Week 1"},
    }
    body.update(changes)
    return parse_launch({k: v for k, v in body.items() if v is not None})


def record(engine: Engine, launch) -> records.LaunchRecord:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return record_launch(connection, platform_id=1, deployment_pk=1, claims=launch)


def writes_during(engine: Engine, action) -> list[str]:
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    return seen


def rows(engine: Engine, model: type) -> list:
    with engine.connect() as connection:
        return list(connection.execute(select(model.__table__)))


def test_first_launch_creates_everything(engine: Engine) -> None:
    result = record(engine, claims())
    assert (result.name, result.context_title, result.link_title) == (
        "Grace Hopper",
        "Course",
        "Week 1",
    )
    [user] = rows(engine, User)
    [membership] = rows(engine, Membership)
    assert (user.id, membership.user_id, membership.course_role) == (
        result.user_id,
        result.user_id,
        "learner",
    )


def test_relaunch_within_the_hour_writes_nothing(engine: Engine) -> None:
    first = record(engine, claims())
    writes = writes_during(engine, lambda: record(engine, claims()))
    assert writes == []
    assert record(engine, claims()) == first


def test_relaunch_after_the_hour_refreshes_last_seen(engine: Engine) -> None:
    record(engine, claims())
    with engine.begin() as connection:
        for model in (User, Membership):
            connection.execute(
                update(model.__table__).values(last_launch_at=records.utcnow() - timedelta(hours=2))
            )
    writes = writes_during(engine, lambda: record(engine, claims()))
    assert writes == ["INSERT", "INSERT"]  # user and membership upserts
    [user] = rows(engine, User)
    assert records.utcnow() - user.last_launch_at < timedelta(minutes=1)


def test_changes_are_written_and_withheld_data_is_kept(engine: Engine) -> None:
    record(engine, claims())
    result = record(
        engine,
        claims(
            name=None,
            email=None,
            **{
                CLAIM + "roles": [LIS + "Instructor"],
                CLAIM + "context": {"id": "c1", "title": "Course (renamed)"},
            },
        ),
    )
    [user] = rows(engine, User)
    [context] = rows(engine, Context)
    [membership] = rows(engine, Membership)
    assert (user.name, user.email) == ("Grace Hopper", "grace@example.edu")
    assert (context.title, context.label) == ("Course (renamed)", "C1")
    assert membership.course_role == "staff"
    assert (result.course_role, result.name, result.context_label) == (
        "staff",
        "Grace Hopper",
        "C1",
    )


def test_new_person_in_a_known_course_shares_its_rows(engine: Engine) -> None:
    first = record(engine, claims())
    second = record(engine, claims(sub="u2", name="Alan Turing"))
    assert (second.context_id, second.resource_link_id) == (
        first.context_id,
        first.resource_link_id,
    )
    assert len(rows(engine, User)) == 2
    assert len(rows(engine, Membership)) == 2


def test_chosen_display_name_wins(engine: Engine) -> None:
    record(engine, claims())
    with engine.begin() as connection:
        connection.execute(update(User.__table__).values(display_name="Amazing Grace"))
    assert record(engine, claims()).name == "Amazing Grace"


def test_launch_without_context_stores_no_membership(engine: Engine) -> None:
    result = record(engine, claims(**{CLAIM + "context": None}))
    assert result.context_id is None
    assert rows(engine, Membership) == []
    assert replace(result, user_id=0).link_title == "Week 1"


NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def with_services(memberships: str = "https://lms.example/nrps/c1", **changes: object):
    return claims(
        **{
            NRPS: {"context_memberships_url": memberships, "service_versions": ["2.0"]},
            AGS: {"lineitems": "https://lms.example/ags/c1", "scope": []},
        },
        **changes,
    )


def test_service_endpoints_are_stored_and_a_relaunch_writes_nothing(engine: Engine) -> None:
    first = record(engine, with_services())
    [context] = rows(engine, Context)
    assert (context.memberships_url, context.lineitems_url) == (
        "https://lms.example/nrps/c1",
        "https://lms.example/ags/c1",
    )
    assert first.has_roster_service
    assert first.roster_synced_at is None
    assert writes_during(engine, lambda: record(engine, with_services())) == []
    # A launch that names no services keeps the stored ones.
    assert writes_during(engine, lambda: record(engine, claims())) == []
    assert record(engine, claims()).has_roster_service


def test_a_changed_endpoint_is_one_write(engine: Engine) -> None:
    record(engine, with_services())
    moved = with_services("https://lms.example/nrps/c1?v=2")
    assert writes_during(engine, lambda: record(engine, moved)) == ["INSERT"]
    [context] = rows(engine, Context)
    assert context.memberships_url == "https://lms.example/nrps/c1?v=2"


def test_a_member_known_only_from_the_roster_launches(engine: Engine) -> None:
    record(engine, claims(sub="teacher"))  # creates the course
    with engine.begin() as connection:
        user_id = connection.execute(
            User.__table__.insert().values(
                platform_id=1, sub="u1", name="Grace H.", created_at=records.utcnow()
            )
        ).inserted_primary_key[0]
        connection.execute(
            Membership.__table__.insert().values(
                user_id=user_id, context_id=1, lti_roles=[], course_role="learner", status="Deleted"
            )
        )
    result = record(engine, claims())
    assert result.user_id == user_id
    user = next(row for row in rows(engine, User) if row.sub == "u1")
    membership = next(row for row in rows(engine, Membership) if row.user_id == user_id)
    assert user.name == "Grace Hopper"
    assert user.last_launch_at is not None
    assert membership.last_launch_at is not None
    assert membership.status == "Active"
