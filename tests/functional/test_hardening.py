"""Checks Peerlearn adds beyond pylti1p3 2.0.0; each would pass a forged launch there."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select, update

from lti_tool.keys import KeyRing
from lti_tool.lti.state import LoginRecord
from lti_tool.persistence.models import Platform, User
from tests.functional.conftest import LtiWorld
from tests.functional.test_certification import assert_refused
from tests.support.browser import Browser


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def users(world: LtiWorld) -> int:
    with world.services.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


# -- replay ------------------------------------------------------------------------------
def test_replayed_id_token_is_refused(world: LtiWorld) -> None:
    browser, page = world.login("demo-learner-1")
    form_page = browser.get(page.response.headers["Location"])
    action, fields = form_page.form()
    assert browser.post(action, fields).status == 200

    replay = browser.post(action, fields)

    assert replay.status == 400
    assert replay.error_code() == "nonce_replayed"


def test_used_nonce_in_a_new_token_is_refused(world: LtiWorld) -> None:
    browser, first = world.auth_params("demo-learner-1")
    state, claims = world.lms.platform.claims(first)
    assert world.post_token(browser, world.lms.platform.sign(claims), state).status == 200
    browser, second = world.auth_params("demo-learner-1", browser)
    new_state, new_claims = world.lms.platform.claims(second)
    new_claims["nonce"] = claims["nonce"]  # a fresh, validly signed token reusing the nonce

    page = world.post_token(browser, world.lms.platform.sign(new_claims), new_state)

    assert page.status == 400
    assert page.error_code() == "nonce_mismatch"


def test_concurrent_replays_are_accepted_exactly_once(world: LtiWorld) -> None:
    browser, page = world.login("demo-learner-1")
    action, fields = browser.get(page.response.headers["Location"]).form()
    cookies = browser.cookies[action.split("/")[2]]

    def post(_: int) -> int:
        return (
            Browser(cookies={action.split("/")[2]: dict(cookies)})
            .post(action, fields, follow=False)
            .status
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(8)))

    assert sorted(statuses) == [200] + [400] * 7


def test_used_nonce_under_a_genuine_state_is_refused(world: LtiWorld) -> None:
    """Even a state Peerlearn signed cannot carry a nonce that was used once."""
    browser, params = world.auth_params("demo-learner-1")
    state, claims = world.lms.platform.claims(params)
    assert world.post_token(browser, world.lms.platform.sign(claims), state).status == 200
    forged_state = world.services.states.issue(
        LoginRecord(issuer=claims["iss"], client_id=claims["aud"], nonce=claims["nonce"])
    )
    host = world.tool_url.split("/")[2]
    browser.cookies[host] = {f"lti1p3-{forged_state}": forged_state}

    page = world.post_token(browser, world.lms.platform.sign(claims), forged_state)

    assert page.error_code() == "nonce_replayed"


def test_state_not_signed_by_us_is_refused(world: LtiWorld) -> None:
    browser, params = world.auth_params("demo-learner-1")
    _state, claims = world.lms.platform.claims(params)
    forged = "state-" + "x" * 40
    browser.cookies[world.tool_url.split("/")[2]] = {f"lti1p3-{forged}": forged}

    page = world.post_token(browser, world.lms.platform.sign(claims), forged)

    assert_refused(world, page, "state_invalid")


# -- audience --------------------------------------------------------------------------
def test_aud_without_our_client_id_is_refused(world: LtiWorld) -> None:
    page = world.tampered_launch("demo-learner-1", lambda c: c.update(aud="someone-else"))
    assert_refused(world, page, "audience_mismatch")


def test_several_audiences_without_azp_are_refused(world: LtiWorld) -> None:
    def mutate(claims: dict[str, Any]) -> None:
        claims["aud"] = [claims["aud"], "another-tool"]
        claims.pop("azp", None)

    assert_refused(world, world.tampered_launch("demo-learner-1", mutate), "azp_mismatch")


def test_several_audiences_with_foreign_azp_are_refused(world: LtiWorld) -> None:
    def mutate(claims: dict[str, Any]) -> None:
        claims["aud"] = [claims["aud"], "another-tool"]
        claims["azp"] = "another-tool"

    assert_refused(world, world.tampered_launch("demo-learner-1", mutate), "azp_mismatch")


def test_several_audiences_with_our_azp_are_accepted(world: LtiWorld) -> None:
    def mutate(claims: dict[str, Any]) -> None:
        claims["aud"] = ["another-tool", claims["aud"]]
        claims["azp"] = claims["aud"][1]

    assert world.tampered_launch("demo-learner-1", mutate).status == 200


# -- time ------------------------------------------------------------------------------
def sign_raw(world: LtiWorld, claims: dict[str, Any], **headers: str) -> str:
    key = world.lms.platform.registration.private_key
    return jwt.encode(
        claims, key, "RS256", headers={"kid": world.lms.platform.registration.get_kid(), **headers}
    )


def test_missing_exp_is_refused(world: LtiWorld) -> None:
    page = world.tampered_launch(
        "demo-learner-1", sign=lambda c: sign_raw(world, {**c, "iat": int(time.time())})
    )
    assert_refused(world, page, "invalid_token")


def test_missing_iat_is_refused(world: LtiWorld) -> None:
    page = world.tampered_launch(
        "demo-learner-1", sign=lambda c: sign_raw(world, {**c, "exp": int(time.time()) + 300})
    )
    assert_refused(world, page, "invalid_token")


def test_iat_beyond_clock_skew_is_refused(world: LtiWorld) -> None:
    now = int(time.time())
    page = world.tampered_launch(
        "demo-learner-1", sign=lambda c: sign_raw(world, {**c, "iat": now + 600, "exp": now + 900})
    )
    assert_refused(world, page, "token_not_yet_valid")


def test_iat_within_clock_skew_is_accepted(world: LtiWorld) -> None:
    now = int(time.time())
    page = world.tampered_launch(
        "demo-learner-1", sign=lambda c: sign_raw(world, {**c, "iat": now + 20, "exp": now + 300})
    )
    assert page.status == 200, page.text[:500]


# -- signatures ------------------------------------------------------------------------
def test_alg_none_is_refused(world: LtiWorld) -> None:
    def unsigned(claims: dict[str, Any]) -> str:
        now = int(time.time())
        header = {"alg": "none", "typ": "JWT", "kid": world.lms.platform.registration.get_kid()}
        body = {**claims, "iat": now, "exp": now + 300}
        return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(body).encode())}."

    assert_refused(world, world.tampered_launch("demo-learner-1", sign=unsigned), "bad_algorithm")


def test_hs256_signed_with_the_public_key_is_refused(world: LtiWorld) -> None:
    public_pem = world.lms.platform.registration.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def confused(claims: dict[str, Any]) -> str:
        now = int(time.time())
        header = {"alg": "HS256", "typ": "JWT", "kid": world.lms.platform.registration.get_kid()}
        signing_input = (
            f"{b64(json.dumps(header).encode())}."
            f"{b64(json.dumps({**claims, 'iat': now, 'exp': now + 300}).encode())}"
        )
        mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(mac)}"

    assert_refused(world, world.tampered_launch("demo-learner-1", sign=confused), "bad_algorithm")


def test_tampered_signature_is_refused(world: LtiWorld) -> None:
    def tamper(claims: dict[str, Any]) -> str:
        header, _body, signature = world.lms.platform.sign(claims).split(".")
        forged = {
            **claims,
            "sub": "demo-teacher",
            "iat": int(time.time()),
            "exp": int(time.time()) + 300,
        }
        return f"{header}.{b64(json.dumps(forged).encode())}.{signature}"

    assert_refused(world, world.tampered_launch("demo-learner-1", sign=tamper), "invalid_token")


# -- state and target ------------------------------------------------------------------
def test_state_from_another_browser_is_refused(world: LtiWorld) -> None:
    _browser, params = world.auth_params("demo-learner-1")
    state, claims = world.lms.platform.claims(params)

    page = world.post_token(Browser(), world.lms.platform.sign(claims), state)

    assert_refused(world, page, "state_mismatch")


def test_expired_state_is_refused(world: LtiWorld) -> None:
    browser, params = world.auth_params("demo-learner-1")
    state, claims = world.lms.platform.claims(params)
    world.services.states.ttl_seconds = 0  # any age now counts as too old
    time.sleep(1.1)

    page = world.post_token(browser, world.lms.platform.sign(claims), state)

    assert_refused(world, page, "state_expired")


def test_login_for_a_target_that_is_not_us_is_refused(world: LtiWorld) -> None:
    url = world.lms.platform.login_url("demo-learner-1").replace(
        "target_link_uri=http%3A%2F%2F127.0.0.1", "target_link_uri=http%3A%2F%2Fevil.example"
    )
    page = Browser().get(url)
    assert page.status == 400
    assert page.error_code() == "target_link_uri_mismatch"


def test_launch_claiming_a_target_that_is_not_us_is_refused(world: LtiWorld) -> None:
    page = world.tampered_launch(
        "demo-learner-1",
        lambda c: c.update(
            {"https://purl.imsglobal.org/spec/lti/claim/target_link_uri": "https://evil.example/x"}
        ),
    )
    assert_refused(world, page, "target_link_uri_mismatch")


# -- unknown platforms -----------------------------------------------------------------
def test_login_from_unknown_issuer_is_a_403_page(world: LtiWorld) -> None:
    url = world.lms.platform.login_url("demo-learner-1").replace(
        "iss=http", "iss=https%3A%2F%2Funknown.example%2F&x=http"
    )
    page = Browser().get(url)
    assert page.status == 403
    assert page.error_code() == "unknown_platform"


def test_login_with_unknown_client_id_is_a_403_page(world: LtiWorld) -> None:
    url = world.lms.platform.login_url("demo-learner-1").replace(
        "client_id=test-client", "client_id=nobody"
    )
    page = Browser().get(url)
    assert page.status == 403
    assert page.error_code() == "unknown_platform"


def test_login_without_parameters_is_a_4xx_page(world: LtiWorld) -> None:
    page = Browser().get(world.tool_url + "/lti/login")
    assert 400 <= page.status < 500
    assert page.error_code() is not None


def test_launch_from_unknown_deployment_is_refused(world: LtiWorld) -> None:
    page = world.tampered_launch(
        "demo-learner-1",
        lambda c: c.update(
            {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "not-registered"}
        ),
    )
    assert_refused(world, page, "unknown_deployment")
    assert page.status == 403


def test_launch_naming_another_issuer_than_its_login_is_refused(world: LtiWorld) -> None:
    page = world.tampered_launch("demo-learner-1", lambda c: c.update(iss="https://other.example"))
    assert_refused(world, page, "issuer_mismatch")


def test_launch_post_without_token_is_a_4xx_page(world: LtiWorld) -> None:
    page = Browser().post(world.tool_url + "/lti/launch", {"state": "x"})
    assert page.status == 400
    assert page.error_code() == "missing_state"


# -- key rotation ----------------------------------------------------------------------
def test_platform_key_rotation_refetches_once(world: LtiWorld) -> None:
    assert world.launch("demo-learner-1")[1].status == 200
    assert world.lms.hits["/jwks.json"] == 1
    world.lms.platform.rotate_key()
    with world.services.sessions.begin() as session:  # the last fetch was long ago
        session.execute(update(Platform).values(jwks_fetched_at=time.time() - 3600))

    assert world.launch("demo-learner-2")[1].status == 200
    assert world.lms.hits["/jwks.json"] == 2
    assert world.launch("demo-learner-3")[1].status == 200
    assert world.lms.hits["/jwks.json"] == 2


def test_unknown_kid_refetch_is_rate_limited(world: LtiWorld) -> None:
    assert world.launch("demo-learner-1")[1].status == 200
    assert world.lms.hits["/jwks.json"] == 1
    for _ in range(3):
        page = world.tampered_launch(
            "demo-learner-2",
            sign=lambda c: sign_raw(
                world,
                {**c, "iat": int(time.time()), "exp": int(time.time()) + 300},
                kid="rotated-away",
            ),
        )
        assert page.error_code() == "unknown_kid"
    assert world.lms.hits["/jwks.json"] == 1
    assert users(world) == 1


def test_tool_key_rotation_is_published_without_restart(world: LtiWorld) -> None:
    before = Browser().get(world.tool_url + "/.well-known/jwks.json").response.json()["keys"]
    new_key = KeyRing(world.services.settings.keys_dir).rotate()  # as the CLI would, elsewhere
    deadline = time.monotonic() + 5
    while True:
        keys = Browser().get(world.tool_url + "/.well-known/jwks.json").response.json()["keys"]
        if len(keys) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.2)

    assert [key["kid"] for key in keys] == [new_key.kid, before[0]["kid"]]
    assert world.services.key_ring.signing_key().kid == new_key.kid
    assert world.launch("demo-learner-1")[1].status == 200
