"""``peerlearn lrs ...`` and ``peerlearn xapi ...`` against a real SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import update

from lti_tool.cli.main import main
from lti_tool.learning_records.records import Routes, record
from lti_tool.outbox import store as outbox
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.models import OutboxMessage
from tests.support.statements import sample_statement


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    monkeypatch.setenv("PEERLEARN_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("PEERLEARN_DATABASE_URL", url)

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
        "--password",
        "secret",
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
    assert cli("lrs", "add", "--endpoint", "ftp://x", "--username", "u", "--password", "p")[0] == 2
    assert (
        "no platform with issuer"
        in cli(
            "lrs",
            "add",
            "--endpoint",
            "https://l.example",
            "--username",
            "u",
            "--password",
            "p",
            "--platform",
            "https://nowhere.example",
        )[2]
    )
    assert cli("lrs", "resume", "1", "--password", "new")[0] == 0
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
        "--password",
        "p",
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
    code, _out, err = cli(
        "lrs", "add", "--endpoint", endpoint, "--username", "k", "--password", "s"
    )
    assert code != 0
    assert "refused" in err
    assert cli("lrs", "list")[1].startswith("no LRS configured")


def test_an_internal_lrs_may_be_listed(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERLEARN_OUTBOUND_ALLOWED_HOSTS", "10.0.0.7")
    code, _out, err = cli(
        "lrs", "add", "--endpoint", "http://10.0.0.7/xAPI", "--username", "k", "--password", "s"
    )
    assert code == 0, err
