"""Migration 0009 on SQLite and PostgreSQL: LRS passwords stored in clear before it are
encrypted by it (issue 12, item 10), readable with the configured keys, and ``alembic
check`` stays clean; the downgrade gives the clear passwords back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from lti_tool.persistence.db import make_engine
from lti_tool.persistence.migrate import alembic_config
from tests.support.secrets import SECRETS, SECRETS_KEYS


def stored(url: str, column: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = text(f"SELECT {column} FROM lrs_destination ORDER BY id")  # noqa: S608 - ours
            return list(connection.execute(query).scalars().all())
    finally:
        engine.dispose()


def test_clear_passwords_are_encrypted_by_the_upgrade(database_url: str) -> None:
    config = alembic_config(database_url, secrets_keys=SECRETS_KEYS)
    command.check(config)
    command.downgrade(config, "0008")
    try:
        engine = make_engine(database_url)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO lrs_destination (name, endpoint, username, password, "
                    "batch_size, created_at) VALUES ('', 'https://lrs.example/xAPI', 'u', "
                    ":password, 100, CURRENT_TIMESTAMP)"
                ),
                {"password": "clear-lrs-password"},
            )
        engine.dispose()
    finally:
        command.upgrade(config, "head")
    command.check(config)
    [sealed] = stored(database_url, "sealed_password")
    assert "clear-lrs-password" not in sealed
    assert SECRETS.open(sealed) == "clear-lrs-password"

    command.downgrade(config, "0008")
    try:
        assert stored(database_url, "password") == ["clear-lrs-password"]
    finally:
        command.upgrade(config, "head")
