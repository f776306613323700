"""Run Alembic programmatically (``peerlearn db upgrade``, development ``serve``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str, *, secrets_keys: Sequence[str] | None = None) -> Config:
    config = Config()
    if secrets_keys is not None:
        # Migration 0009 encrypts stored LRS passwords with them.
        config.attributes["secrets_keys"] = tuple(secrets_keys)
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on % in passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(
    database_url: str, revision: str = "head", *, secrets_keys: Sequence[str] | None = None
) -> None:
    command.upgrade(alembic_config(database_url, secrets_keys=secrets_keys), revision)


def current(database_url: str) -> None:
    command.current(alembic_config(database_url), verbose=False)
