"""A course library reached through real launches from lti1p3platform, for the tests."""

from __future__ import annotations

import re
import time
from typing import Any

import requests
from sqlalchemy import func, select

from lti_tool.launch_session import LaunchSession
from lti_tool.persistence.library_models import LibraryItem
from tests.factories import lti as rows
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser, Page

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class Library:
    """Everyone's sessions in the demo course's library (plus outsiders on demand)."""

    def __init__(self, world: LtiWorld) -> None:
        self.world = world
        self.sessions: dict[str, tuple[Browser, str]] = {}

    @property
    def base(self) -> str:
        return f"{self.world.tool_url}/app/library"

    def open(self, person: str) -> str:
        browser, page = self.world.launch(person)
        assert page.status == 200, page.text
        token = page.meta("peerlearn-session")
        self.sessions[person] = (browser, token)
        return token

    def open_elsewhere(self, person: str, name: str) -> None:
        """``person`` launched from another course of the same platform, as ``name``."""

        def elsewhere(claims: dict[str, Any]) -> None:
            claims[CLAIM + "context"] = {"id": "another-course", "title": "Elsewhere"}
            claims[CLAIM + "resource_link"] = {"id": "elsewhere-link"}

        page = self.world.tampered_launch(person, elsewhere)
        assert page.status == 200, page.text
        self.sessions[name] = (Browser(), page.meta("peerlearn-session"))

    def open_other_platform(self, name: str, *, staff: bool = False) -> None:
        """A person of another LMS (rows as its launch would leave them)."""
        svc = self.world.services
        with svc.engine.begin() as connection:
            platform = rows.platform(
                connection,
                "https://other-lms.example",
                client_id="other-client",
                name="Other LMS",
                auth_login_url="https://other-lms.example/auth",
                auth_token_url="https://other-lms.example/token",
                jwks_url="https://other-lms.example/jwks",
            )
            deployment = rows.deployment(connection, platform, "1")
            context = rows.course(connection, deployment, "demo-course", "Other")
            user = rows.person(connection, platform, "demo-teacher")
        token = svc.launch_sessions.issue(
            LaunchSession(
                user_id=user,
                platform_id=platform,
                context_id=context,
                resource_link_id=None,
                course_role="staff" if staff else "learner",
                launch_id="other-platform-launch",
                issued_at=int(time.time()),
            )
        )
        self.sessions[name] = (Browser(), token)

    def token(self, person: str) -> str:
        return self.sessions[person][1]

    def get(self, person: str, path: str, **params: str) -> Page:
        browser, token = self.sessions[person]
        query = "&".join(f"{k}={v}" for k, v in {**params, "ls": token}.items())
        return browser.get(f"{self.base}{path}?{query}")

    def post(self, person: str, path: str, **fields: str) -> Page:
        browser, token = self.sessions[person]
        return browser.post(f"{self.base}{path}", {"ls": token, **fields})

    def upload(self, person: str, key: str, *files: tuple[str, bytes]) -> requests.Response:
        return requests.post(
            f"{self.base}/items/{key}/files",
            data={"ls": self.token(person)},
            files=[
                ("files", (name, content, "application/octet-stream")) for name, content in files
            ],
            allow_redirects=False,
            timeout=30,
        )

    def create(self, person: str, kind: str = "article", **fields: str) -> str:
        values = {"title": "Feedback that helps", "body": "Be **specific**.", **fields}
        page = self.post(person, "/new", kind=kind, **values)
        assert page.status == 200, page.text
        found = re.search(r"/app/library/items/([0-9a-f-]{36})/edit", page.url)
        assert found, page.url
        return found.group(1)

    def version(self, key: str) -> int:
        with self.world.services.engine.connect() as connection:
            return int(
                connection.execute(
                    select(LibraryItem.version).where(LibraryItem.key == key)
                ).scalar_one()
            )

    def item(self, key: str) -> Any:
        with self.world.services.engine.connect() as connection:
            return connection.execute(select(LibraryItem).where(LibraryItem.key == key)).one()

    def count(self, model: Any) -> int:
        with self.world.services.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(model)).scalar_one())
