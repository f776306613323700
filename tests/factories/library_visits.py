"""A course library reached through real launches from the demo LMS, for the functional
and browser tests.

One :class:`Library` keeps everyone's launch sessions by a name the test chooses: people of
the demo course, of another course of the same platform (or of another deployment), of a
second running LMS (:func:`second_platform`), and of another platform whose rows are
inserted and whose session is issued directly. Items are made either through the app
(:meth:`Library.create_item`, the authoring form) or as rows (:meth:`Library.insert_item`,
via :mod:`tests.factories.library`)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from lti_tool.demo.web import register_platform
from lti_tool.launch_session import LaunchSession
from lti_tool.persistence.library_models import LibraryItem
from lti_tool.persistence.models import Context
from tests.factories import library as rows
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser, Page
from tests.support.servers import running_lms

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
OTHER_DEPLOYMENT = "other-deployment"


def elsewhere(course_id: str, *, deployment: str | None = None) -> Callable[[dict[str, Any]], None]:
    """Claims mutation: the launch comes from course ``course_id`` (optionally of another
    deployment) instead of the demo course."""

    def mutate(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {"id": course_id, "title": f"Course {course_id}"}
        claims[CLAIM + "resource_link"] = {"id": f"{course_id}-link"}
        if deployment is not None:
            claims[CLAIM + "deployment_id"] = deployment

    return mutate


@contextmanager
def second_platform(world: LtiWorld, key_dir: Path) -> Iterator[LtiWorld]:
    """Another LMS (another issuer) registered in the same running tool."""
    key_dir.mkdir(parents=True, exist_ok=True)
    with running_lms(tool_base_url=world.tool_url, key_dir=key_dir) as lms:
        platform_id = register_platform(world.services.sessions, lms.platform, name="Second LMS")
        yield LtiWorld(tool_url=world.tool_url, app=world.app, lms=lms, platform_id=platform_id)


class Library:
    """Everyone's launch sessions in the library, by a name the test chooses."""

    def __init__(self, world: LtiWorld) -> None:
        self.world = world
        self.sessions: dict[str, tuple[Browser, str]] = {}

    @property
    def base(self) -> str:
        return f"{self.world.tool_url}/app/library"

    # Sessions -------------------------------------------------------------------------

    def _keep(self, name: str, browser: Browser, page: Page) -> str:
        assert page.status == 200, page.text
        token = page.meta("peerlearn-session")
        self.sessions[name] = (browser, token)
        return token

    def launch(self, name: str, person: str | None = None) -> str:
        """``person`` (default ``name``) launched in the demo course; returns the token."""
        browser, page = self.world.launch(person or name)
        return self._keep(name, browser, page)

    def launch_elsewhere(
        self,
        name: str,
        person: str,
        course_id: str = "another-course",
        *,
        deployment: str | None = None,
    ) -> str:
        """``person`` launched from another course of the demo platform."""
        page = self.world.tampered_launch(person, elsewhere(course_id, deployment=deployment))
        token = self._keep(name, Browser(), page)
        with self.world.services.engine.connect() as connection:
            landed = connection.scalar(
                select(Context.lti_id).where(Context.id == self.context_of(name))
            )
        assert landed == course_id, landed
        return token

    def launch_from(self, name: str, world: LtiWorld, person: str) -> str:
        """``person`` launched from another running platform into the same tool."""
        browser, page = world.launch(person)
        return self._keep(name, browser, page)

    def issue_other_platform_session(self, name: str, *, staff: bool = False) -> str:
        """A person of another LMS: its rows inserted as its launch would leave them and a
        session issued directly (no LMS runs for it)."""
        services = self.world.services
        with services.engine.begin() as connection:
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
        token = services.launch_sessions.issue(
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
        assert services.launch_sessions.read(token).platform_id == platform
        self.sessions[name] = (Browser(), token)
        return token

    def token(self, name: str) -> str:
        return self.sessions[name][1]

    def context_of(self, name: str) -> int:
        context = self.world.services.launch_sessions.read(self.token(name)).context_id
        assert context is not None
        return context

    def user_of(self, name: str) -> int:
        return self.world.services.launch_sessions.read(self.token(name)).user_id

    # Requests -------------------------------------------------------------------------

    def get(self, name: str, path: str, **params: str) -> Page:
        browser, token = self.sessions[name]
        query = "&".join(f"{key}={value}" for key, value in {"ls": token, **params}.items())
        return browser.get(f"{self.base}{path}?{query}")

    def post(self, name: str, path: str, *, follow: bool = True, **fields: str) -> Page:
        browser, token = self.sessions[name]
        return browser.post(f"{self.base}{path}", {"ls": token, **fields}, follow=follow)

    def upload(self, name: str, key: str, *files: tuple[str, bytes]) -> requests.Response:
        return requests.post(
            f"{self.base}/items/{key}/files",
            data={"ls": self.token(name)},
            files=[
                ("files", (filename, content, "application/octet-stream"))
                for filename, content in files
            ],
            allow_redirects=False,
            timeout=30,
        )

    # Items ----------------------------------------------------------------------------

    def create_item(self, name: str, kind: str = "article", **fields: str) -> str:
        """An item written through the app's authoring form; returns its key."""
        values = {"title": "Feedback that helps", "body": "Be **specific**.", **fields}
        browser, token = self.sessions[name]
        page = browser.post(f"{self.base}/new", {"ls": token, "kind": kind, **values})
        assert page.status == 200, page.text
        found = re.search(r"/app/library/items/([0-9a-f-]{36})/edit", page.url)
        assert found, page.url
        return found.group(1)

    def insert_item(self, author: str, **values: Any) -> tuple[int, str]:
        """An item inserted as a row in ``author``'s course; returns its id and key."""
        with self.world.services.engine.begin() as connection:
            return rows.item(
                connection,
                context_id=self.context_of(author),
                author_id=self.user_of(author),
                **values,
            )

    def insert_comment(self, author: str, item_id: int, body: str = "Thanks, this helped") -> int:
        with self.world.services.engine.begin() as connection:
            return rows.comment(
                connection, item_id=item_id, author_id=self.user_of(author), body=body
            )

    def insert_deployment(self, name: str = OTHER_DEPLOYMENT) -> None:
        """A second deployment of the demo LMS's tool registration."""
        with self.world.services.engine.begin() as connection:
            rows.deployment(connection, self.world.platform_id, name)

    # Reading rows ---------------------------------------------------------------------

    def item_row(self, key: str) -> Any:
        with self.world.services.engine.connect() as connection:
            return connection.execute(select(LibraryItem).where(LibraryItem.key == key)).one()

    def item_version(self, key: str) -> int:
        with self.world.services.engine.connect() as connection:
            return int(
                connection.execute(
                    select(LibraryItem.version).where(LibraryItem.key == key)
                ).scalar_one()
            )

    def count_rows(self, model: Any) -> int:
        with self.world.services.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(model)).scalar_one())
