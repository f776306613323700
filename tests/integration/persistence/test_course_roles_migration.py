"""Migration 0010 on SQLite and PostgreSQL: memberships stored as staff under the old role
rule (an LTI Mentor, an institution Administrator) are recomputed under the role table of
issue 12, item 2; true staff and learners keep their roles, and ``alembic check`` stays
clean."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, update

from lti_tool.persistence.db import make_engine
from lti_tool.persistence.migrate import alembic_config
from lti_tool.persistence.models import Membership
from tests.factories import lti as rows
from tests.support.secrets import SECRETS_KEYS

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
STORED_AS_STAFF = {
    "mentor-and-learner": [LIS + "membership#Learner", LIS + "membership#Mentor"],
    "mentor": [LIS + "membership#Mentor"],
    "institution-admin": [LIS + "institution/person#Administrator"],
    "instructor": [LIS + "membership#Instructor"],
    "assistant": [LIS + "membership/Instructor#TeachingAssistant"],
}
EXPECTED = {
    "mentor-and-learner": "learner",
    "mentor": "observer",
    "institution-admin": "learner",
    "instructor": "staff",
    "assistant": "staff",
    "learner": "learner",
}


def test_old_staff_roles_are_recomputed_by_the_upgrade(database_url: str) -> None:
    config = alembic_config(database_url, secrets_keys=SECRETS_KEYS)
    command.downgrade(config, "0009")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            chain = rows.course_chain(connection)
            people = {}
            for sub, roles in [*STORED_AS_STAFF.items(), ("learner", [LIS + "membership#Learner"])]:
                people[sub] = rows.person(connection, chain.platform_id, sub)
                rows.member(connection, people[sub], chain.context_id, "staff")
                connection.execute(
                    update(Membership)
                    .where(Membership.user_id == people[sub])
                    .values(lti_roles=roles, course_role="learner" if sub == "learner" else "staff")
                )
    finally:
        command.upgrade(config, "head")
    command.check(config)
    try:
        with engine.connect() as connection:
            stored = dict(
                connection.execute(select(Membership.user_id, Membership.course_role)).all()
            )
        assert {sub: stored[user_id] for sub, user_id in people.items()} == EXPECTED
    finally:
        engine.dispose()
