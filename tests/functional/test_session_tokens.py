"""Bearer tokens (issue 12, item 9): launch session and registration tokens never reach a
log in clear, and a person a roster sync marks Inactive or Deleted loses their sessions."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import select, update

from lti_tool.cli.lti import roster_sync
from lti_tool.logs import REDACTED
from lti_tool.persistence.models import Membership, User
from tests.functional.conftest import LtiWorld
from tests.functional.test_nrps_sync import course_id, members, teacher_with_roster
from tests.support.secrets import SECRETS_KEYS
from tests.support.servers import free_port


@pytest.mark.parametrize("status", ["Deleted", "Inactive"])
def test_a_member_the_roster_sync_removes_loses_their_session(world: LtiWorld, status: str) -> None:
    browser, home = world.launch("demo-learner-3")
    address = world.tool_url + home.meta("peerlearn-address")
    assert browser.get(address).status == 200  # the session works
    world.lms.platform.offer_differences = False
    teacher_with_roster(world)
    world.lms.platform.set_status("demo-learner-3", status)

    roster_sync(world.services).sync(course_id(world))

    assert members(world)["demo-learner-3"].status == status
    page = browser.get(address)
    assert page.status == 401, page.text
    assert "Your Peerlearn session has ended" in page.text
    assert "session_revoked" in page.text
    api = browser.http.get(
        world.tool_url + "/api/session",
        headers={"X-Peerlearn-Session": home.meta("peerlearn-session")},
        timeout=10,
    )
    assert (api.status_code, api.json()["code"]) == (401, "session_revoked")
    # Others keep theirs; a new launch (the LMS let them in again) works.
    world.lms.platform.set_status("demo-learner-3", "Active")
    assert world.launch("demo-learner-3")[1].status == 200


def test_the_development_server_log_redacts_tokens(
    world: LtiWorld, caplog: pytest.LogCaptureFixture
) -> None:
    browser, home = world.launch("demo-learner-1")
    token = home.meta("peerlearn-session")
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        assert browser.get(world.tool_url + home.meta("peerlearn-address")).status == 200
        browser.get(
            world.tool_url + "/lti/register?openid_configuration=ftp%3A%2F%2Fx"
            "&registration_token=registration-secret-123"
        )

        def lines() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.name == "werkzeug"]

        # werkzeug logs the request line just after the answer is sent
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any("/lti/register" in x for x in lines()):
            time.sleep(0.05)
    logged = lines()
    assert any("ls=" + REDACTED in line for line in logged), logged
    assert any("registration_token=" + REDACTED in line for line in logged), logged
    assert not any(token in line or "registration-secret-123" in line for line in logged)


def test_the_gunicorn_access_log_redacts_tokens(tmp_path: Path) -> None:
    """The README's production command (``-c python:lti_tool.gunicorn_conf``)."""
    port, access = free_port(), tmp_path / "access.log"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PEERLEARN_")},
        "PEERLEARN_INSTANCE_DIR": str(tmp_path / "instance"),
        "PEERLEARN_KEYS_DIR": str(tmp_path / "keys"),
        "PEERLEARN_SECRETS_KEYS": ",".join(SECRETS_KEYS),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "-c",
            "python:lti_tool.gunicorn_conf",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(access),
            "--access-logformat",
            '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s?%(q)s %({x-peerlearn-session}i)s',
            "lti_tool:create_app()",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.get(
                    url + "/app?ls=launch-secret-1&x=1",
                    headers={
                        "Referer": url + "/app/profile?ls=launch-secret-2",
                        "X-Peerlearn-Session": "launch-secret-3",
                    },
                    timeout=60,  # the worker builds the app before it answers
                )
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        requests.get(url + "/lti/register?registration_token=registration-secret-4", timeout=60)
        for _ in range(50):
            if access.exists() and access.read_text().count("\n") >= 2:
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=20)
    log = access.read_text()
    assert "ls=" + REDACTED in log
    assert "registration_token=" + REDACTED in log
    assert "/app?ls=" + REDACTED + "&x=1" in log
    for secret in (
        "launch-secret-1",
        "launch-secret-2",
        "launch-secret-3",
        "registration-secret-4",
    ):
        assert secret not in log, log


def test_a_staff_session_ends_when_the_stored_role_no_longer_grants_staff(
    world: LtiWorld,
) -> None:
    """A staff token outlives nothing that took the rights away: once the membership says
    learner (migration 0010 for an LTI Mentor once stored as staff, or a relaunch with
    other roles), the staff session is refused; a learner's session is not affected."""
    browser, home = world.launch("demo-teacher")
    address = world.tool_url + home.meta("peerlearn-address")
    assert browser.get(address).status == 200
    learner, learner_home = world.launch("demo-learner-1")
    learner_address = world.tool_url + learner_home.meta("peerlearn-address")
    with world.services.engine.begin() as connection:
        teacher = connection.scalar(select(User.id).where(User.sub == "demo-teacher"))
        connection.execute(
            update(Membership).where(Membership.user_id == teacher).values(course_role="learner")
        )
    page = browser.get(address)
    assert page.status == 401, page.text
    assert "session_revoked" in page.text
    assert learner.get(learner_address).status == 200
    assert world.launch("demo-teacher")[1].status == 200  # a new launch stores the LMS's roles
