"""A course library reached through real launches from the demo LMS: sessions of
learners and staff in the demo course, in a second course of the same deployment, in a
course of another deployment and on a second platform. Items and comments are written
as rows (their authoring pages belong to other parts of the library)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lti_tool.demo.web import register_platform
from lti_tool.persistence.models import User
from tests.factories import library as rows
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser, Page
from tests.support.servers import running_lms

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
OTHER_DEPLOYMENT = "other-deployment"


def elsewhere(course_id: str, *, deployment: str | None = None) -> Any:
    def mutate(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {"id": course_id, "title": f"Course {course_id}"}
        claims[CLAIM + "resource_link"] = {"id": f"{course_id}-link"}
        if deployment is not None:
            claims[CLAIM + "deployment_id"] = deployment

    return mutate


class Library:
    """Everyone's launch sessions, by a name the test chooses."""

    def __init__(self, world: LtiWorld) -> None:
        self.world = world
        self.sessions: dict[str, tuple[Browser, str]] = {}

    @property
    def base(self) -> str:
        return f"{self.world.tool_url}/app/library"

    def _keep(self, name: str, browser: Browser, page: Page) -> str:
        assert page.status == 200, page.text
        token = page.meta("peerlearn-session")
        self.sessions[name] = (browser, token)
        return token

    def launch(self, name: str, person: str | None = None) -> None:
        """``person`` (default ``name``) launched in the demo course."""
        browser, page = self.world.launch(person or name)
        self._keep(name, browser, page)

    def launch_elsewhere(
        self, name: str, person: str, course_id: str, *, deployment: str | None = None
    ) -> None:
        page = self.world.tampered_launch(person, elsewhere(course_id, deployment=deployment))
        self._keep(name, Browser(), page)

    def adopt(self, name: str, world: LtiWorld, person: str) -> None:
        """A launch from another platform into the same tool."""
        browser, page = world.launch(person)
        self._keep(name, browser, page)

    def context_of(self, name: str) -> int:
        context = self.world.services.launch_sessions.read(self.sessions[name][1]).context_id
        assert context is not None
        return context

    def user_of(self, name: str) -> int:
        return self.world.services.launch_sessions.read(self.sessions[name][1]).user_id

    def get(self, name: str, path: str, **params: str) -> Page:
        browser, token = self.sessions[name]
        query = "&".join(f"{key}={value}" for key, value in {"ls": token, **params}.items())
        return browser.get(f"{self.base}{path}?{query}")

    def post(self, name: str, path: str, *, follow: bool = True, **fields: str) -> Page:
        browser, token = self.sessions[name]
        return browser.post(f"{self.base}{path}", {"ls": token, **fields}, follow=follow)

    def item(self, author: str, **values: Any) -> tuple[int, str]:
        with self.world.services.engine.begin() as connection:
            return rows.item(
                connection,
                context_id=self.context_of(author),
                author_id=self.user_of(author),
                **values,
            )

    def comment(self, author: str, item_id: int, body: str = "Thanks, this helped") -> int:
        with self.world.services.engine.begin() as connection:
            return rows.comment(
                connection, item_id=item_id, author_id=self.user_of(author), body=body
            )

    def add_deployment(self, name: str = OTHER_DEPLOYMENT) -> None:
        """Register a second deployment of the demo LMS's tool registration."""
        with self.world.services.engine.begin() as connection:
            rows.deployment(connection, self.world.platform_id, name)

    def user_named(self, sub: str) -> int:
        with self.world.services.engine.connect() as connection:
            found: int = connection.scalar(
                select(User.id).where(User.sub == sub, User.platform_id == self.world.platform_id)
            )
        return found


@contextmanager
def second_platform(world: LtiWorld, key_dir: Path) -> Iterator[LtiWorld]:
    """Another LMS (another issuer) registered in the same running tool."""
    key_dir.mkdir(parents=True, exist_ok=True)
    with running_lms(tool_base_url=world.tool_url, key_dir=key_dir) as lms:
        platform_id = register_platform(world.services.sessions, lms.platform, name="Second LMS")
        yield LtiWorld(tool_url=world.tool_url, app=world.app, lms=lms, platform_id=platform_id)
