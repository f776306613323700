"""A running Peerlearn and a running LMS, both on loopback, for each test.

The tool's Flask app, its server and the LMS's server start once per test process
(``tool_server``); each test gets fresh services (its own database, keys and instance
folder, empty caches) swapped into that app, a fresh demo platform in the LMS, and its
platform registration. ``build_world`` still builds a world of its own, for tests that
need other settings.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lti_tool import create_app
from lti_tool.demo.web import register_platform
from lti_tool.learning_records.delivery import StatementWorker
from lti_tool.learning_records.records import TOPIC, add_destination, all_destinations
from lti_tool.lti.launch import cached_launch
from lti_tool.outbox import store as outbox
from lti_tool.services import Services, build_services
from tests.conftest import make_settings
from tests.support.browser import Browser, Page, query_of
from tests.support.keys import install_tool_keys
from tests.support.ralph import PASSWORD, USERNAME, Ralph
from tests.support.servers import (
    Lms,
    LmsServer,
    free_port,
    running_lms,
    running_lms_server,
    serving,
)
from xapi.delivery import equivalent


@dataclass
class LtiWorld:
    tool_url: str
    app: Flask
    lms: Lms
    platform_id: int

    @property
    def services(self) -> Services:
        services: Services = self.app.extensions["peerlearn"]
        return services

    def login(
        self, person: str, browser: Browser | None = None, *, link_id: str | None = None
    ) -> tuple[Browser, Page]:
        """Start a launch as the LMS would and stop at the LMS's auth endpoint."""
        browser = browser or Browser()
        page = browser.get(self.lms.platform.login_url(person, link_id=link_id), follow=False)
        assert page.status == 302, page.text
        return browser, page

    def auth_params(
        self, person: str, browser: Browser | None = None, *, link_id: str | None = None
    ) -> tuple[Browser, dict[str, str]]:
        browser, page = self.login(person, browser, link_id=link_id)
        return browser, query_of(page.response.headers["Location"])

    def launch(
        self, person: str = "demo-learner-1", *, link_id: str | None = None
    ) -> tuple[Browser, Page]:
        """A full launch through both servers, as a browser does it."""
        browser, page = self.login(person, link_id=link_id)
        form_page = browser.get(page.response.headers["Location"])
        assert form_page.status == 200, form_page.text
        action, fields = form_page.form()
        return browser, browser.post(action, fields)

    def teacher_services(self) -> tuple[Any, dict[str, Any]]:
        """The LMS registration and the launch claims of a teacher's launch, for the
        LTI Advantage services (their endpoints come in the launch)."""
        _browser, page = self.launch("demo-teacher")
        launch_id = self.services.launch_sessions.read(page.meta("peerlearn-session")).launch_id
        claims = cached_launch(self.services.store, launch_id)
        assert claims is not None
        platform = self.services.registrations.find(
            self.lms.platform.issuer, self.lms.platform.client_id
        )
        assert platform is not None
        return platform, claims

    def post_token(self, browser: Browser, token: str, state: str) -> Page:
        return browser.post(self.tool_url + "/lti/launch", {"id_token": token, "state": state})

    def tampered_launch(
        self,
        person: str,
        mutate: Any = None,
        *,
        sign: Any = None,
        extra: dict[str, Any] | None = None,
        link_id: str | None = None,
    ) -> Page:
        """Launch with claims changed before signing (the 1EdTech "bad payloads")."""
        browser, params = self.auth_params(person, link_id=link_id)
        state, claims = self.lms.platform.claims(params, extra=extra)
        if mutate is not None:
            mutate(claims)
        token = sign(claims) if sign else self.lms.platform.sign(claims)
        return self.post_token(browser, token, state)


@dataclass
class ToolServer:
    """Peerlearn and an LMS serving for the whole test process; see :meth:`world`."""

    tool_url: str
    app: Flask
    lms: LmsServer
    base_services: Services
    view_functions: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def world(self, tmp_path: Path, database_url: str) -> Iterator[LtiWorld]:
        """This test's world: services of its own (database, keys, instance folder, caches,
        activity kinds and their pages) in the running app, and a fresh LMS platform."""
        settings = make_settings(tmp_path, database_url=database_url, base_url=self.tool_url)
        install_tool_keys(settings.keys_dir)
        services = build_services(settings)
        services.kind_pages = dict(self.base_services.kind_pages)
        services.choice_providers = dict(self.base_services.choice_providers)
        self.app.view_functions.clear()
        self.app.view_functions.update(self.view_functions)
        self.app.extensions["peerlearn"] = services
        try:
            lms = self.lms.fresh()
            platform_id = register_platform(services.sessions, lms.platform)
            yield LtiWorld(tool_url=self.tool_url, app=self.app, lms=lms, platform_id=platform_id)
        finally:
            self.app.extensions["peerlearn"] = self.base_services
            services.close()


@pytest.fixture(scope="session")
def tool_server(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[ToolServer]:
    """The app and both servers, once per test process (each test swaps its services in)."""
    home = tmp_path_factory.mktemp("tool-server")
    port = free_port()
    tool_url = f"http://127.0.0.1:{port}"
    unused = home / "unused.sqlite3"  # each test's services bring its own database
    shutil.copy(sqlite_template, unused)
    settings = make_settings(home, database_url=f"sqlite:///{unused}", base_url=tool_url)
    install_tool_keys(settings.keys_dir)
    app = create_app(settings)
    base_services: Services = app.extensions["peerlearn"]
    with (
        serving(app, "127.0.0.1", port),
        running_lms_server(tool_base_url=tool_url, key_dir=home) as lms,
    ):
        yield ToolServer(
            tool_url=tool_url,
            app=app,
            lms=lms,
            base_services=base_services,
            view_functions=dict(app.view_functions),
        )
    base_services.close()


@pytest.fixture
def world(
    tmp_path: Path, database_url: str, session_ralph: Ralph, tool_server: ToolServer
) -> Iterator[LtiWorld]:
    with tool_server.world(tmp_path, database_url) as built:
        yield built
        deliver_and_verify(built, session_ralph)


def deliver_and_verify(world: LtiWorld, ralph: Ralph) -> None:
    """Every statement the test emitted reaches the LRS once and reads back identical.

    The LRS's store is read back once for all of them (it holds only this test's
    statements: it is emptied after each check)."""
    with world.services.engine.connect() as connection:
        emitted = [json.loads(p) for p in outbox.payloads(connection, topic=TOPIC)]
        if not emitted or all_destinations(connection):
            return  # nothing emitted, or the test delivered to an LRS of its own
    with world.services.engine.begin() as connection:
        add_destination(
            connection,
            endpoint=ralph.endpoint,
            username=USERNAME,
            password=PASSWORD,
            platform_id=None,
            secrets=world.services.secret_box,
        )
    worker = StatementWorker(world.services.engine, secrets=world.services.secret_box)
    while worker.run_once():
        pass
    with world.services.engine.connect() as connection:
        [status] = outbox.status(connection, topic=TOPIC)
    assert (status.pending, status.dead) == (0, 0), status
    stored: dict[str, list[dict[str, Any]]] = {}
    for found in ralph.stored():
        stored.setdefault(found["id"], []).append(found)
    for statement in emitted:
        found = stored.get(statement["id"])
        assert found is not None, statement["id"]
        assert [equivalent(statement, copy) for copy in found] == [True]
    ralph.forget()


def build_world(tmp_path: Path, database_url: str, **changes: object) -> Iterator[LtiWorld]:
    """A world with an app and servers of its own (for settings that differ)."""
    port = free_port()
    tool_url = f"http://127.0.0.1:{port}"
    settings = make_settings(tmp_path, database_url=database_url, base_url=tool_url, **changes)
    install_tool_keys(settings.keys_dir)
    app = create_app(settings)
    with (
        serving(app, "127.0.0.1", port),
        running_lms(tool_base_url=tool_url, key_dir=tmp_path) as lms,
    ):
        platform_id = register_platform(app.extensions["peerlearn"].sessions, lms.platform)
        yield LtiWorld(tool_url=tool_url, app=app, lms=lms, platform_id=platform_id)
    app.extensions["peerlearn"].close()
