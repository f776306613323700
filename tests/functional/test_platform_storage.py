"""Launches whose state cookie does not come back: LTI Platform Storage, and the offer to
open Peerlearn in a new window. The browser side of both is in tests/browser/."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from lti_tool.persistence.models import User
from tests.functional.conftest import LtiWorld
from tests.functional.test_certification import assert_refused
from tests.support.browser import Browser, Page, query_of


class Elements(HTMLParser):
    """Every element's attributes, by id, and every form with its inputs."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.forms: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
        self.scripts: list[dict[str, str]] = []
        self._form: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if "id" in found:
            self.by_id[found["id"]] = found
        if tag == "script":
            self.scripts.append(found)
        if tag == "form":
            self._form = found.get("id", "")
            self.forms[self._form] = (found, {})
        if tag == "input" and self._form is not None:
            self.forms[self._form][1][found["name"]] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def storage_data(page: Page) -> dict[str, str]:
    found = Elements(page.text).by_id["platform-storage"]
    return {name.removeprefix("data-"): value for name, value in found.items()}


def users(world: LtiWorld) -> int:
    with world.services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def storage_login(world: LtiWorld, person: str = "demo-learner-1") -> tuple[Browser, Page]:
    browser = Browser()
    page = browser.get(world.lms.platform.login_url(person, storage=True))
    assert page.status == 200, page.text
    return browser, page


def launch_without_cookie(world: LtiWorld, login_page: Page, browser: Browser) -> Page:
    """The platform answers the auth request; its form reaches us without our cookie."""
    form_page = browser.get(storage_data(login_page)["next"])
    action, fields = form_page.form()
    return Browser().post(action, fields)


def resubmit(
    world: LtiWorld, page: Page, *, headers: dict[str, str] | None = None, **stored: str
) -> Page:
    """Post the launch again as our launch page does, with what storage answered."""
    attrs, fields = Elements(page.text).forms["storage-launch"]
    headers = {"Origin": world.tool_url} if headers is None else headers
    for name, value in stored.items():
        fields[name] = value
    fields = {name: value for name, value in fields.items() if value != "<drop>"}
    return Browser().post(attrs["action"], fields, headers=headers)


def test_storage_login_page_keeps_state_and_nonce_in_the_platform(world: LtiWorld) -> None:
    browser, page = storage_login(world)

    data = storage_data(page)
    assert data["mode"] == "put"
    assert data["target"] == "_parent"
    # The platform's origin is that of its OIDC auth endpoint, never "*".
    assert data["platform-origin"] == world.lms.base_url
    assert data["next"].startswith(world.lms.base_url + "/authorize?")
    auth = query_of(data["next"])
    assert auth["state"] == data["state"]
    assert auth["nonce"] == data["nonce"]
    assert data["state-key"].startswith("peerlearn_state_")
    assert data["nonce-key"].startswith("peerlearn_nonce_")
    assert data["state"] not in data["state-key"]
    # Scripts come from our static files only (CSP), and the cookie is set as well.
    scripts = Elements(page.text).scripts
    assert [urlsplit(s["src"]).path for s in scripts] == ["/static/platform_storage.js"]
    assert "script-src 'self'" in page.response.headers["Content-Security-Policy"]
    assert browser.cookies[world.tool_url.split("/")[2]] == {
        f"lti1p3-{auth['state']}": auth["state"]
    }
    assert "Partitioned" in page.response.headers["Set-Cookie"]


def test_login_names_no_storage_target_it_cannot_address(world: LtiWorld) -> None:
    url = world.lms.platform.login_url("demo-learner-1") + "&lti_storage_target=%3Cscript%3E"
    page = Browser().get(url, follow=False)
    assert page.status == 302


def test_storage_launch_without_cookie_reads_storage_then_is_accepted_once(
    world: LtiWorld,
) -> None:
    browser, login_page = storage_login(world)
    login = storage_data(login_page)

    page = launch_without_cookie(world, login_page, browser)

    assert page.status == 200, page.text
    data = storage_data(page)
    assert (data["mode"], data["target"]) == ("get", "_parent")
    assert data["platform-origin"] == world.lms.base_url
    assert (data["state-key"], data["nonce-key"]) == (login["state-key"], login["nonce-key"])
    assert users(world) == 0  # nothing validated into records yet...

    launched = resubmit(
        world, page, lti_storage_state=login["state"], lti_storage_nonce=login["nonce"]
    )

    assert launched.status == 200, launched.text
    assert launched.meta("peerlearn-session")
    assert users(world) == 1
    replay = resubmit(
        world, page, lti_storage_state=login["state"], lti_storage_nonce=login["nonce"]
    )
    assert replay.status == 400
    assert replay.error_code() == "nonce_replayed"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"lti_storage_state": "state-from-another-login"}, "storage_state_mismatch"),
        ({"lti_storage_state": ""}, "storage_state_mismatch"),
        ({"lti_storage_nonce": "<drop>"}, "storage_nonce_mismatch"),
        ({"lti_storage_nonce": "another-nonce"}, "storage_nonce_mismatch"),
        # A form forged on another site says so in headers no page can set...
        ({"Origin": "http://attacker.example"}, "storage_origin_mismatch"),
        ({"Origin": "null"}, "storage_origin_mismatch"),
        ({}, "storage_origin_mismatch"),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "null"}, "storage_origin_mismatch"),
        ({"Sec-Fetch-Site": "same-site", "Origin": "null"}, "storage_origin_mismatch"),
    ],
    ids=[
        "wrong state",
        "empty state",
        "no nonce",
        "wrong nonce",
        "cross-site origin",
        "null origin",
        "no origin",
        "cross-site fetch",
        "same-site fetch",
    ],
)
def test_storage_resubmission_without_the_stored_values_is_refused(
    world: LtiWorld, change: dict[str, str], code: str
) -> None:
    browser, login_page = storage_login(world)
    login = storage_data(login_page)
    page = launch_without_cookie(world, login_page, browser)
    values = {"lti_storage_state": login["state"], "lti_storage_nonce": login["nonce"]}
    headers = None
    if code == "storage_origin_mismatch":
        headers = change
    else:
        values.update(change)

    refused = resubmit(world, page, headers=headers, **values)

    assert_refused(world, refused, code)
    # The refusal consumed nothing: the genuine values are still accepted.
    good = resubmit(world, page, lti_storage_state=login["state"], lti_storage_nonce=login["nonce"])
    assert good.status == 200, good.text


def test_same_origin_fetch_metadata_is_enough_without_origin(world: LtiWorld) -> None:
    """Under a no-referrer policy browsers send "Origin: null"; Sec-Fetch-Site decides."""
    browser, login_page = storage_login(world)
    login = storage_data(login_page)
    page = launch_without_cookie(world, login_page, browser)

    launched = resubmit(
        world,
        page,
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "null"},
        lti_storage_state=login["state"],
        lti_storage_nonce=login["nonce"],
    )

    assert launched.status == 200, launched.text


def test_storage_launch_whose_cookie_came_back_needs_no_storage(world: LtiWorld) -> None:
    browser, login_page = storage_login(world)
    form_page = browser.get(storage_data(login_page)["next"])
    action, fields = form_page.form()

    page = browser.post(action, fields)

    assert page.status == 200
    assert page.meta("peerlearn-session")


def test_storage_launch_page_offers_a_new_window_if_storage_fails(world: LtiWorld) -> None:
    browser, login_page = storage_login(world)
    page = launch_without_cookie(world, login_page, browser)

    elements = Elements(page.text)
    assert "hidden" in elements.by_id["storage-failed"]
    attrs, fields = elements.forms["new-window"]
    assert attrs["target"] == "_blank"
    assert "lti_storage_target" not in fields
    assert fields["login_hint"] == "demo-learner-1"


def test_cookie_launch_without_its_cookie_offers_a_new_window_that_launches(
    world: LtiWorld,
) -> None:
    login_url = world.lms.platform.login_url("demo-learner-2")
    browser, page = world.login("demo-learner-2")
    action, fields = browser.get(page.response.headers["Location"]).form()

    offer = Browser().post(action, fields)  # third-party cookies blocked: none came back

    assert_refused(world, offer, "state_mismatch")
    attrs, relaunch = Elements(offer.text).forms["new-window"]
    assert attrs["action"] == world.tool_url + "/lti/login"
    assert attrs["method"] == "post"
    assert attrs["target"] == "_blank"
    assert relaunch == query_of(login_url)
    assert set(relaunch) == {
        "iss",
        "login_hint",
        "lti_message_hint",
        "target_link_uri",
        "client_id",
        "lti_deployment_id",
    }

    # The new window is a top-level, first-party context: its cookie comes back.
    window = Browser()
    form_page = window.post(attrs["action"], relaunch)
    launched = window.post(*form_page.form())

    assert launched.status == 200, launched.text
    assert "Alan Turing" in launched.text


def test_new_window_offer_without_login_parameters_when_they_were_too_long(
    world: LtiWorld,
) -> None:
    long_hint = "x" * 2000
    url = world.lms.platform.login_url("demo-learner-1").replace(
        "lti_message_hint=", f"lti_message_hint={long_hint}"
    )
    page = Browser().get(url, follow=False)
    state = query_of(page.response.headers["Location"])["state"]
    assert len(state) < 400  # the long hint is not copied into the state

    offer = Browser().post(world.tool_url + "/lti/launch", {"id_token": "x.y.z", "state": state})

    assert offer.error_code() == "state_mismatch"
    assert "new-window-unavailable" in Elements(offer.text).by_id
