"""Happy-path launches over real HTTP, signed by lti1p3platform acting as the LMS."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.persistence.models import Context, Membership, ResourceLink, User
from tests.functional.conftest import LtiWorld
from tests.support.browser import Browser


def rows(world: LtiWorld, model: type) -> list:
    with world.services.sessions() as session:
        return list(session.scalars(select(model)))


def test_learner_launch_shows_who_where_and_role(world: LtiWorld) -> None:
    _browser, page = world.launch("demo-learner-1")

    assert page.status == 200, page.text
    # Rendered by the launch POST itself; the page then shows this address, for reloads.
    assert page.meta("peerlearn-address").startswith("/app?ls=")
    reload = Browser().get(world.tool_url + page.meta("peerlearn-address"))
    assert 'id="who">Grace Hopper<' in reload.text
    assert 'id="who">Grace Hopper<' in page.text
    assert 'id="course">Peer Learning 101<' in page.text
    assert 'id="role">Learner<' in page.text
    [user] = rows(world, User)
    assert (user.sub, user.name, user.email) == (
        "demo-learner-1",
        "Grace Hopper",
        "grace@example.edu",
    )
    [membership] = rows(world, Membership)
    assert membership.course_role == "learner"
    assert membership.lti_roles == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]


def test_instructor_launch_is_staff(world: LtiWorld) -> None:
    _browser, page = world.launch("demo-teacher")

    assert page.status == 200, page.text
    assert 'id="role">Staff<' in page.text
    [membership] = rows(world, Membership)
    assert membership.course_role == "staff"


def test_relaunch_updates_rather_than_duplicates(world: LtiWorld) -> None:
    world.launch("demo-learner-1")
    world.launch("demo-learner-1")
    world.launch("demo-learner-2")

    assert sorted(user.sub for user in rows(world, User)) == ["demo-learner-1", "demo-learner-2"]
    [context] = rows(world, Context)
    assert (context.lti_id, context.title, context.label) == (
        "demo-course-101",
        "Peer Learning 101",
        "PL101",
    )
    [link] = rows(world, ResourceLink)
    assert (link.lti_id, link.title, link.context_id) == (
        "demo-link-welcome",
        "Welcome to Peerlearn",
        context.id,
    )
    assert len(rows(world, Membership)) == 2


def test_person_without_personal_data_is_stored_without_it(world: LtiWorld) -> None:
    _browser, page = world.launch("demo-learner-4")

    assert page.status == 200, page.text
    assert "Anonymous participant" in page.text
    [user] = rows(world, User)
    assert (user.name, user.email, user.given_name) == (None, None, None)


def test_links_and_forms_work_without_any_cookie(world: LtiWorld) -> None:
    browser, home = world.launch("demo-learner-2")
    browser.clear_cookies()

    profile = browser.get(home.link("profile-link"))
    assert profile.status == 200, profile.text
    action, fields = profile.form()
    fields["display_name"] = "  Alan   T.  "
    saved = browser.post(action, fields)

    assert saved.status == 200, saved.text
    assert 'id="saved"' in saved.text
    assert 'id="shown-name">Alan T.<' in saved.text
    assert not any(browser.cookies.values())
    [user] = rows(world, User)
    assert user.display_name == "Alan T."


def test_session_api_takes_the_header(world: LtiWorld) -> None:
    browser, home = world.launch("demo-teacher")
    token = home.meta("peerlearn-session")

    response = browser.http.get(
        world.tool_url + "/api/session", headers={"X-Peerlearn-Session": token}, timeout=10
    )

    assert response.status_code == 200
    assert response.json()["name"] == "Ada Lovelace"
    assert response.json()["role"] == "staff"


def test_control_characters_in_launch_claims(world: LtiWorld) -> None:
    """A NUL in a name is dropped (PostgreSQL refuses it in text: this was a 500)."""
    page = world.tampered_launch("demo-learner-2", lambda claims: claims.update({"name": "A\x00B"}))
    assert page.status == 200, page.text[:300]
    # In an identifier it cannot be dropped (that would name someone else): refused.
    refused = world.tampered_launch(
        "demo-learner-2", lambda claims: claims.update({"sub": "x\x00y"})
    )
    assert refused.status == 400, refused.text[:300]
    assert "invalid_identifier" in refused.text
