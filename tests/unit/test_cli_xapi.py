"""``peerlearn lrs ...`` and ``peerlearn xapi ...`` against a real SQLite database."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select, update

from lti_tool.cli.main import main
from lti_tool.learning_records.records import Routes, record
from lti_tool.outbox import store as outbox
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.models import LrsDestination, OutboxMessage
from lti_tool.secret_box import SecretBox, SecretUnreadable
from tests.support.secrets import NEWER_KEY, SECRETS, SECRETS_KEYS
from tests.support.statements import sample_statement


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    monkeypatch.setenv("PEERLEARN_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("PEERLEARN_DATABASE_URL", url)
    monkeypatch.setenv("PEERLEARN_SECRETS_KEYS", ",".join(SECRETS_KEYS))
    monkeypatch.setenv("PEERLEARN_LRS_PASSWORD", "secret")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    assert run("db", "upgrade")[0] == 0
    run.url = url  # type: ignore[attr-defined]
    return run


def enqueue(url: str, count: int) -> list[str]:
    engine = make_engine(url)
    statements = [sample_statement(n, "cli") for n in range(count)]
    with engine.begin() as connection:
        for statement in statements:
            record(connection, statement, platform_id=None, routes=Routes(engine), strict=True)
    engine.dispose()
    return [s["id"] for s in statements]


def test_statements_are_kept_and_exported_without_an_lrs(cli, tmp_path: Path) -> None:
    ids = enqueue(cli.url, 3)
    code, out, _ = cli("xapi", "status")
    assert code == 0
    assert "held (no LRS configured" in out
    assert "3 pending" in out
    target = tmp_path / "all.jsonl"
    code, _, err = cli("xapi", "export", "--output", str(target))
    assert (code, err.strip()) == (0, "exported 3 statements")
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == ids


def test_lrs_lifecycle(cli) -> None:
    enqueue(cli.url, 2)
    code, out, _ = cli(
        "lrs",
        "add",
        "--endpoint",
        "https://lrs.example.edu/xAPI",
        "--username",
        "key",
        "--name",
        "Main",
    )
    assert (code, out.strip()) == (
        0,
        "added LRS 1 for every platform: https://lrs.example.edu/xAPI",
    )
    out = cli("lrs", "list")[1]
    assert "Main" in out
    assert "secret" not in out  # credentials are never printed
    assert "lrs:1 https://lrs.example.edu/xAPI: 2 pending" in cli("xapi", "status")[1]
    assert cli("lrs", "add", "--endpoint", "ftp://x", "--username", "u")[0] == 2
    assert (
        "no platform with issuer"
        in cli(
            "lrs",
            "add",
            "--endpoint",
            "https://l.example",
            "--username",
            "u",
            "--platform",
            "https://nowhere.example",
        )[2]
    )
    assert cli("lrs", "resume", "1", "--new-password")[0] == 0
    assert cli("lrs", "remove", "1")[0] == 0
    assert cli("lrs", "remove", "1")[2].strip() == "peerlearn: no LRS with id 1"


def test_dead_letters_are_reported_and_retried(cli) -> None:
    enqueue(cli.url, 2)
    cli(
        "lrs",
        "add",
        "--endpoint",
        "https://lrs.example.edu/xAPI",
        "--username",
        "u",
    )
    engine = make_engine(cli.url)
    with engine.begin() as connection:
        connection.execute(
            update(OutboxMessage).values(
                state="dead", last_error="refused by the LRS (HTTP 400): bad verb"
            )
        )
    out = cli("xapi", "status")[1]
    assert "2 dead" in out
    assert "dead x2: refused by the LRS (HTTP 400): bad verb" in out
    assert cli("xapi", "retry-dead")[1].strip() == "2 statements will be sent again"
    with engine.connect() as connection:
        [row] = outbox.status(connection, topic="xapi")
    assert (row.pending, row.dead) == (2, 0)
    engine.dispose()


def test_deliver_once_with_nothing_due(cli) -> None:
    code, out, _ = cli("xapi", "deliver", "--once")
    assert (code, out.strip()) == (0, "delivered 0 statements")


def test_grades_deliver_once_with_nothing_queued(cli) -> None:
    code, out, _ = cli("grades", "deliver", "--once")
    assert (code, out.strip()) == (0, "published 0 scores")


# -- secrets at rest (issue 12, item 10) ------------------------------------------------
ADD = ("lrs", "add", "--endpoint", "https://lrs.example.edu/xAPI", "--username", "u")


def sealed_passwords(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = list(connection.scalars(select(LrsDestination.sealed_password)))
    engine.dispose()
    return found


def test_a_password_on_the_command_line_is_refused(cli) -> None:
    """argv is visible to every user of the machine (ps): the password never goes there."""
    code, _, err = cli(*ADD, "--password", "argv-password")
    assert code == 2
    assert "--password is refused" in err
    assert "--password-stdin" in err
    assert "PEERLEARN_LRS_PASSWORD" in err
    assert sealed_passwords(cli.url) == []  # nothing stored
    assert cli("lrs", "resume", "1", "--password", "argv-password")[0] == 2


def test_the_password_is_read_from_stdin_and_stored_encrypted(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PEERLEARN_LRS_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO("stdin-lrs-password\n"))
    assert cli(*ADD, "--password-stdin")[0] == 0
    [sealed] = sealed_passwords(cli.url)
    assert SECRETS.open(sealed) == "stdin-lrs-password"
    # Neither the row nor the database file holds the password in clear.
    assert "stdin-lrs-password" not in sealed
    assert b"stdin-lrs-password" not in (tmp_path / "db.sqlite3").read_bytes()
    # Without --password-stdin, the environment variable or a terminal: a clear error.
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = cli(*ADD)
    assert code == 2
    assert "no password" in err


def test_resume_with_a_new_password_stores_it_encrypted(cli, monkeypatch) -> None:
    assert cli(*ADD)[0] == 0
    monkeypatch.setenv("PEERLEARN_LRS_PASSWORD", "the-new-one")
    assert cli("lrs", "resume", "1", "--new-password")[0] == 0
    [sealed] = sealed_passwords(cli.url)
    assert SECRETS.open(sealed) == "the-new-one"


def test_rotate_secrets_reencrypts_with_the_newest_key(cli, monkeypatch) -> None:
    assert cli(*ADD)[0] == 0
    assert cli(*ADD)[0] == 0
    old_only, new_only = SECRETS, SecretBox([NEWER_KEY])
    # A new key goes first; the old one stays listed until every password is rotated.
    monkeypatch.setenv("PEERLEARN_SECRETS_KEYS", f"{NEWER_KEY},{SECRETS_KEYS[0]}")
    code, out, _ = cli("lrs", "rotate-secrets")
    assert (code, out.strip()) == (
        0,
        "re-encrypted 2 LRS passwords with the first key of PEERLEARN_SECRETS_KEYS",
    )
    for sealed in sealed_passwords(cli.url):
        assert new_only.open(sealed) == "secret"
        with pytest.raises(SecretUnreadable):
            old_only.open(sealed)
    # The old key removed: delivery and a new rotation still work with the new one alone.
    monkeypatch.setenv("PEERLEARN_SECRETS_KEYS", NEWER_KEY)
    assert cli("lrs", "rotate-secrets")[0] == 0
    # A key removed before rotating: refused, and nothing is changed.
    before = sealed_passwords(cli.url)
    monkeypatch.setenv("PEERLEARN_SECRETS_KEYS", SECRETS_KEYS[0])
    code, _, err = cli("lrs", "rotate-secrets")
    assert code == 2
    assert "nothing was changed" in err
    assert sealed_passwords(cli.url) == before


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://169.254.169.254/latest/meta-data",  # cloud metadata: never
        "http://10.0.0.7/xAPI",  # private, not listed in PEERLEARN_OUTBOUND_ALLOWED_HOSTS
        "https://2130706433/xAPI",  # 127.0.0.1 to a resolver
        "https://lrs.example.edu\\@evil.example/xAPI",
        "https://key:secret@lrs.example.edu/xAPI",
    ],
)
def test_lrs_endpoints_follow_the_outbound_policy(cli, endpoint: str) -> None:
    code, _out, err = cli("lrs", "add", "--endpoint", endpoint, "--username", "k")
    assert code != 0
    assert "refused" in err
    assert cli("lrs", "list")[1].startswith("no LRS configured")


def test_an_internal_lrs_may_be_listed(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERLEARN_OUTBOUND_ALLOWED_HOSTS", "10.0.0.7")
    code, _out, err = cli("lrs", "add", "--endpoint", "http://10.0.0.7/xAPI", "--username", "k")
    assert code == 0, err
