"""Registration helpers, health, and errors as pages or problem documents."""

from __future__ import annotations

from pathlib import Path

import requests
from sqlalchemy import text

from lti_tool import create_app
from tests.conftest import make_settings
from tests.functional.conftest import LtiWorld


def test_jwks_publishes_the_signing_key(world: LtiWorld) -> None:
    response = requests.get(world.tool_url + "/.well-known/jwks.json", timeout=10)
    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert key["kid"] == world.services.key_ring.signing_key().kid
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key  # never the private part


def test_config_page_lists_every_url(world: LtiWorld) -> None:
    page = requests.get(world.tool_url + "/lti/config", timeout=10).text
    for path in (
        "/lti/login",
        "/lti/launch",
        "/.well-known/jwks.json",
        "/lti/canvas.json",
        "/lti/register",
    ):
        assert world.tool_url + path in page
    assert "peerlearn platform add" in page
    moodle = page[page.index('id="moodle-fields"') :]
    for field in (
        "Tool URL",
        "Initiate login URL",
        "Redirection URI(s)",
        "Public keyset",
        "Content Selection URL",
        "Services",
        "Privacy",
    ):
        assert f"<dt>{field}</dt>" in moodle, field


def test_canvas_developer_key_json(world: LtiWorld) -> None:
    data = requests.get(world.tool_url + "/lti/canvas.json", timeout=10).json()
    assert data["oidc_initiation_url"] == world.tool_url + "/lti/login"
    assert data["target_link_uri"] == world.tool_url + "/lti/launch"
    assert data["public_jwk_url"] == world.tool_url + "/.well-known/jwks.json"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in data["scopes"]
    [extension] = data["extensions"]
    assert extension["privacy_level"] == "name_only"
    assert extension["domain"] == "127.0.0.1"
    placements = {item["placement"]: item for item in extension["settings"]["placements"]}
    assert set(placements) == {"course_navigation", "assignment_selection", "link_selection"}
    assert placements["course_navigation"]["message_type"] == "LtiResourceLinkRequest"
    for selection in ("assignment_selection", "link_selection"):
        assert placements[selection]["message_type"] == "LtiDeepLinkingRequest"
        assert placements[selection]["target_link_uri"] == world.tool_url + "/lti/launch"
    assert data["custom_fields"]["canvas_course_id"] == "$Canvas.course.id"


def test_healthz_checks_the_database(world: LtiWorld) -> None:
    response = requests.get(world.tool_url + "/healthz", timeout=10)
    assert (response.status_code, response.json()["database"]) == (200, "ok")
    head = response.json()["schema"]
    with world.services.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'old'"))
    try:
        behind = requests.get(world.tool_url + "/healthz", timeout=10)
    finally:
        with world.services.engine.begin() as connection:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
    assert behind.status_code == 503
    assert "peerlearn db upgrade" in behind.json()["schema"]


def test_healthz_reports_an_unreachable_database(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/x")
    app = create_app(settings)
    response = app.test_client().get("/healthz")
    app.extensions["peerlearn"].close()
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_unknown_page_is_a_framed_error_page(world: LtiWorld) -> None:
    response = requests.get(world.tool_url + "/nowhere", timeout=10)
    assert response.status_code == 404
    assert "text/html" in response.headers["Content-Type"]
    assert "Error <code>http_404</code>" in response.text
    assert response.headers["X-Request-Id"] in response.text
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers


def test_api_errors_are_problem_documents(world: LtiWorld) -> None:
    response = requests.get(world.tool_url + "/api/session", timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["code"]) == (401, "session_missing")
    assert problem["request_id"] == response.headers["X-Request-Id"]


def test_forged_or_expired_session_is_refused(world: LtiWorld) -> None:
    response = requests.get(world.tool_url + "/app?ls=forged.token.value", timeout=10)
    assert response.status_code == 401
    assert "session_invalid" in response.text


def test_unexpected_errors_show_no_traceback(world: LtiWorld) -> None:
    def broken_view() -> str:
        raise RuntimeError("sqlalchemy exploded: secret detail")

    browser, home = world.launch("demo-learner-1")
    world.app.view_functions["courses.profile"] = broken_view
    page = browser.get(home.link("profile-link"))
    assert page.status == 500
    assert page.error_code() == "internal_error"
    assert "Traceback" not in page.text
    assert "secret detail" not in page.text
