from __future__ import annotations

from pathlib import Path

import pytest

from config import Environment, SettingsError, load_settings
from tests.support.secrets import NEWER_KEY, SECRETS_KEYS


def env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {
        "PEERLEARN_INSTANCE_DIR": str(tmp_path / "instance"),
        "PEERLEARN_KEYS_DIR": str(tmp_path / "keys"),
        **{f"PEERLEARN_{k.upper()}": v for k, v in values.items()},
    }


def test_development_defaults_are_generated_and_announced(tmp_path: Path) -> None:
    settings = load_settings(env(tmp_path))
    assert settings.env is Environment.DEVELOPMENT
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'peerlearn.sqlite3'}"
    assert settings.base_url == "http://localhost:5000"
    assert len(settings.secret_key) >= 32
    assert any("SECRET_KEY" in notice for notice in settings.notices)
    assert (tmp_path / "instance" / "dev-secret-key").stat().st_mode & 0o777 == 0o600
    # The generated secret survives a restart, so launch sessions do too.
    assert load_settings(env(tmp_path)).secret_key == settings.secret_key


def test_development_instance_files_are_private(tmp_path: Path) -> None:
    """Secrets at rest (issue 12, item 10): the generated secret, the secrets key and the
    SQLite file are 0600 in a 0700 folder, even under a permissive umask."""
    import os  # noqa: PLC0415

    previous = os.umask(0o022)
    try:
        settings = load_settings(env(tmp_path))
    finally:
        os.umask(previous)
    instance = tmp_path / "instance"
    assert instance.stat().st_mode & 0o777 == 0o700
    for name in ("dev-secret-key", "dev-secrets-key", "peerlearn.sqlite3"):
        assert (instance / name).stat().st_mode & 0o777 == 0o600, name
    assert any("SECRETS_KEYS" in notice for notice in settings.notices)
    # The generated key survives a restart, so stored passwords stay readable.
    assert load_settings(env(tmp_path)).secrets_keys == settings.secrets_keys
    # A file left readable by an older version is made private again.
    (instance / "peerlearn.sqlite3").chmod(0o644)
    instance.chmod(0o755)
    load_settings(env(tmp_path))
    assert (instance / "peerlearn.sqlite3").stat().st_mode & 0o777 == 0o600
    assert instance.stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "BASE_URL is required"),
        ({"base_url": "http://peerlearn.example.edu"}, "https"),
        ({"base_url": "https://p.example.edu"}, "SECRET_KEY is required"),
        ({"base_url": "https://p.example.edu", "secret_key": "short"}, "at least 32"),
        ({"base_url": "https://p.example.edu", "secret_key": "s" * 40}, "DATABASE_URL is required"),
        (
            {
                "base_url": "https://p.example.edu",
                "secret_key": "s" * 40,
                "database_url": "postgresql+psycopg://db/p",
            },
            "SECRETS_KEYS is required in production",
        ),
        (
            {
                "base_url": "https://p.example.edu",
                "secret_key": "s" * 40,
                "database_url": "postgresql+psycopg://db/p",
                "secrets_keys": "not-a-key",
            },
            "key 1 is not a Fernet key",
        ),
    ],
)
def test_production_refuses_missing_secrets(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env(tmp_path, env="production", **values))


def test_production_with_everything(tmp_path: Path) -> None:
    settings = load_settings(
        env(
            tmp_path,
            env="production",
            base_url="https://p.example.edu/",
            secret_key="s" * 40,
            database_url="postgresql+psycopg://db/p",
            redis_url="redis://cache:6379/0",
            secrets_keys=f" {NEWER_KEY} , {SECRETS_KEYS[0]} ",
        )
    )
    assert settings.secrets_keys == (NEWER_KEY, SECRETS_KEYS[0])  # newest first
    assert settings.base_url == "https://p.example.edu"
    assert settings.redis_url == "redis://cache:6379/0"
    assert settings.notices == ()
    assert settings.url_for_path("/lti/launch") == "https://p.example.edu/lti/launch"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"env": "staging"}, "PEERLEARN_ENV"),
        ({"base_url": "ftp://x"}, "absolute http"),
        ({"launch_session_minutes": "soon"}, "whole number"),
        ({"clock_skew_seconds": "0"}, "positive"),
        ({"roster_sync_minutes": "0"}, "PEERLEARN_ROSTER_SYNC_MINUTES must be positive"),
        ({"roster_sync_minutes": "often"}, "whole number"),
    ],
)
def test_bad_values_say_which_setting(tmp_path: Path, values: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env(tmp_path, **values))


def test_file_values_lose_to_environment(tmp_path: Path) -> None:
    file = tmp_path / "peerlearn.toml"
    file.write_text('base_url = "http://from-file:1"\nlaunch_session_minutes = 30\n')
    settings = load_settings(env(tmp_path, config_file=str(file), base_url="http://from-env:2"))
    assert settings.base_url == "http://from-env:2"
    assert settings.launch_session_minutes == 30


def test_unknown_file_setting_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "peerlearn.toml"
    file.write_text('secret_kee = "typo"\n')
    with pytest.raises(SettingsError, match="unknown settings: secret_kee"):
        load_settings(env(tmp_path, config_file=str(file)))


def test_roster_sync_interval_defaults_to_ten_minutes(tmp_path: Path) -> None:
    assert load_settings(env(tmp_path)).roster_sync_minutes == 10
    assert load_settings(env(tmp_path, roster_sync_minutes="3")).roster_sync_minutes == 3


def test_registration_settings(tmp_path: Path) -> None:
    defaults = load_settings(env(tmp_path))
    assert (defaults.registration_approval, defaults.registration_allowed_hosts) == (False, ())
    settings = load_settings(
        env(
            tmp_path,
            registration_approval="true",
            registration_allowed_hosts="Moodle.Example.edu, .instructure.com 127.0.0.1",
        )
    )
    assert settings.registration_approval is True
    assert settings.registration_allowed_hosts == (
        "moodle.example.edu",
        ".instructure.com",
        "127.0.0.1",
    )
    file = tmp_path / "peerlearn.toml"
    file.write_text('registration_allowed_hosts = ["a.example", "b.example"]\n')
    from_file = load_settings(env(tmp_path, config_file=str(file)))
    assert from_file.registration_allowed_hosts == ("a.example", "b.example")


def test_production_requires_registration_approval_unless_told_otherwise(tmp_path: Path) -> None:
    production = {
        "env": "production",
        "base_url": "https://peerlearn.example.edu",
        "secret_key": "s" * 40,
        "database_url": "postgresql://db.example.edu/peerlearn",
        "secrets_keys": SECRETS_KEYS[0],
    }
    assert load_settings(env(tmp_path, **production)).registration_approval is True
    told = load_settings(env(tmp_path, registration_approval="false", **production))
    assert told.registration_approval is False
    assert load_settings(env(tmp_path)).registration_approval is False  # development


@pytest.mark.parametrize("hosts", ["https://moodle.example.edu", "moodle.example.edu/x", "a:443"])
def test_allowed_hosts_are_host_names(tmp_path: Path, hosts: str) -> None:
    with pytest.raises(SettingsError, match="PEERLEARN_REGISTRATION_ALLOWED_HOSTS"):
        load_settings(env(tmp_path, registration_allowed_hosts=hosts))


def test_outbound_allowed_hosts(tmp_path: Path) -> None:
    assert load_settings(env(tmp_path)).outbound_allowed_hosts == ()
    settings = load_settings(env(tmp_path, outbound_allowed_hosts="LMS.local .corp.example"))
    assert settings.outbound_allowed_hosts == ("lms.local", ".corp.example")
    with pytest.raises(SettingsError, match="PEERLEARN_OUTBOUND_ALLOWED_HOSTS"):
        load_settings(env(tmp_path, outbound_allowed_hosts="https://lms.local"))


def test_files_are_stored_under_the_instance_folder_unless_told(tmp_path: Path) -> None:
    defaults = load_settings(env(tmp_path))
    assert defaults.files_dir == defaults.instance_dir / "storage"
    chosen = load_settings(env(tmp_path, storage_dir=str(tmp_path / "files")))
    assert chosen.files_dir == (tmp_path / "files").resolve()
