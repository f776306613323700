"""The ``peerlearn`` command, run in-process against a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest

from lti_tool.cli.main import main


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("PEERLEARN_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("PEERLEARN_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("PEERLEARN_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    assert run("db", "upgrade")[0] == 0
    return run


MOODLE = [
    "--issuer",
    "https://moodle.example.edu",
    "--client-id",
    "abc",
    "--auth-login-url",
    "https://moodle.example.edu/mod/lti/auth.php",
    "--auth-token-url",
    "https://moodle.example.edu/mod/lti/token.php",
    "--jwks-url",
    "https://moodle.example.edu/mod/lti/certs.php",
]


def test_platform_lifecycle(cli) -> None:
    code, out, _ = cli("platform", "add", *MOODLE, "--deployment-id", "1", "--name", "Moodle")
    assert (code, out.strip()) == (
        0,
        "registered platform 1: https://moodle.example.edu (client id abc)",
    )
    # Canvas cloud: one issuer, many client ids.
    canvas = [
        "--issuer",
        "https://canvas.instructure.com",
        "--auth-login-url",
        "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "--auth-token-url",
        "https://sso.canvaslms.com/login/oauth2/token",
        "--jwks-url",
        "https://sso.canvaslms.com/api/lti/security/jwks",
    ]
    assert cli("platform", "add", *canvas, "--client-id", "1000")[0] == 0
    assert cli("platform", "add", *canvas, "--client-id", "2000")[0] == 0
    assert cli("platform", "add-deployment", "1", "2")[0] == 0

    code, out, _ = cli("platform", "list")
    assert "deployments 1, 2" in out
    assert out.count("https://canvas.instructure.com") == 2
    code, out, _ = cli("platform", "show", "1")
    assert "auth token url: https://moodle.example.edu/mod/lti/token.php" in out
    assert cli("platform", "remove", "1")[0] == 0
    assert "moodle" not in cli("platform", "list")[1]


def test_platform_errors_are_one_line(cli) -> None:
    assert cli("platform", "add", *MOODLE)[0] == 0
    code, _, err = cli("platform", "add", *MOODLE)
    assert (code, err.strip()) == (
        2,
        "peerlearn: issuer 'https://moodle.example.edu' with client id 'abc' is registered already",
    )
    assert cli("platform", "show", "99")[2].strip() == "peerlearn: no platform with id 99"
    bad = [*MOODLE[:-1], "not a url"]
    bad[3] = "other"
    assert "must be an absolute URL" in cli("platform", "add", *bad)[2]
    assert cli("platform", "add-deployment", "1", "d")[0] == 0
    assert "exists already" in cli("platform", "add-deployment", "1", "d")[2]


def test_keys_commands(cli, tmp_path: Path) -> None:
    code, out, _ = cli("keys", "generate")
    assert code == 0
    first = out.split()[1]
    assert cli("keys", "generate")[0] == 2
    second = cli("keys", "rotate")[1].split()[1]
    out = cli("keys", "list")[1]
    assert f"{second}  active" in out
    assert f"{first}  retiring" in out
    assert cli("keys", "retire", first)[0] == 0
    assert first not in cli("keys", "list")[1]
    assert sorted(p.name for p in (tmp_path / "keys").glob("*.pem")) == [f"{second}.pem"]


def test_a_kid_starting_with_a_dash_can_be_retired(cli, tmp_path: Path) -> None:
    # RFC 7638 thumbprints are base64url: about one in 32 starts with '-'.
    import json  # noqa: PLC0415

    assert cli("keys", "generate")[0] == 0
    cli("keys", "rotate")
    manifest = tmp_path / "keys" / "keys.json"
    data = json.loads(manifest.read_text())
    old = data["keys"][1]["kid"]
    (tmp_path / "keys" / f"{old}.pem").rename(tmp_path / "keys" / "-dashed.pem")
    data["keys"][1]["kid"] = "-dashed"
    manifest.write_text(json.dumps(data))
    assert cli("keys", "retire", "-dashed")[:2] == (0, "retired -dashed\n")


def test_production_settings_errors_are_reported(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERLEARN_ENV", "production")
    code, _, err = cli("platform", "list")
    assert code == 2
    assert "PEERLEARN_BASE_URL is required in production" in err


def test_platform_approve(cli, tmp_path: Path) -> None:
    from sqlalchemy import create_engine, update  # noqa: PLC0415

    from lti_tool.persistence.models import Platform  # noqa: PLC0415

    assert cli("platform", "add", *MOODLE, "--deployment-id", "1")[0] == 0
    # As LTI Dynamic Registration leaves a platform when approval is required.
    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(update(Platform).values(active=False))
    engine.dispose()
    assert "  pending  https://moodle.example.edu" in cli("platform", "list")[1]
    assert (
        "status: awaiting approval: peerlearn platform approve 1" in cli("platform", "show", "1")[1]
    )

    code, out, _ = cli("platform", "approve", "1")
    assert (code, out.strip()) == (
        0,
        "approved platform 1: https://moodle.example.edu (client id abc); it can launch now",
    )
    assert "  active   https://moodle.example.edu" in cli("platform", "list")[1]
    assert "status: active" in cli("platform", "show", "1")[1]
    assert cli("platform", "approve", "1")[1].strip() == "platform 1 is active already"
    assert cli("platform", "approve", "9")[2].strip() == "peerlearn: no platform with id 9"


def test_platform_update_shows_each_change(cli) -> None:
    assert cli("platform", "add", *MOODLE)[0] == 0
    code, out, _ = cli(
        "platform",
        "update",
        "1",
        "--jwks-url",
        "https://moodle.example.edu/new/certs.php",
        "--name",
        "Moodle",
    )
    assert code == 0
    assert "platform 1: jwks url https://moodle.example.edu/mod/lti/certs.php -> " in out
    assert "https://moodle.example.edu/new/certs.php" in out
    assert "platform 1: name - -> Moodle" in out
    assert "jwks url: https://moodle.example.edu/new/certs.php" in cli("platform", "show", "1")[1]
    assert cli("platform", "update", "1", "--name", "Moodle")[1].strip() == ("platform 1 unchanged")
    assert "must be an absolute URL" in cli("platform", "update", "1", "--jwks-url", "x")[2]
    assert cli("platform", "update", "9")[2].strip() == "peerlearn: no platform with id 9"
