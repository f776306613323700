"""The signed OIDC state: what it carries, and states issued before it carried more."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer

from lti_tool.domain.errors import LaunchRefused
from lti_tool.lti.state import (
    MAX_RELAUNCH_CHARS,
    SALT,
    LoginRecord,
    StateCodec,
    relaunch_params,
    storage_key,
)

SECRET = "s" * 40


def test_state_round_trips_storage_target_and_login_params() -> None:
    record = LoginRecord(
        issuer="https://lms.example",
        client_id="c1",
        nonce="n1",
        storage_target="_parent",
        relaunch=(("login_hint", "u1"), ("lti_message_hint", "m1")),
    )
    codec = StateCodec(SECRET)

    assert codec.read(codec.issue(record)) == record
    assert record.login_params() == {
        "iss": "https://lms.example",
        "client_id": "c1",
        "login_hint": "u1",
        "lti_message_hint": "m1",
    }


def test_state_issued_before_platform_storage_is_a_cookie_login() -> None:
    old = "state-" + URLSafeTimedSerializer(SECRET, salt=SALT).dumps(["iss", "c1", "n1"])

    record = StateCodec(SECRET).read(old)

    assert record == LoginRecord(issuer="iss", client_id="c1", nonce="n1")
    assert not record.uses_platform_storage
    assert record.login_params() is None


def test_malformed_state_body_is_invalid() -> None:
    forged = "state-" + URLSafeTimedSerializer(SECRET, salt=SALT).dumps(["iss", "c1", "n1", "x"])
    with pytest.raises(LaunchRefused) as refused:
        StateCodec(SECRET).read(forged)
    assert refused.value.code == "state_invalid"


def test_relaunch_params_keep_only_login_parameters_of_bounded_size() -> None:
    given = {"login_hint": "u1", "lti_message_hint": None, "iss": "ignored", "other": "x"}
    assert relaunch_params(given) == (("login_hint", "u1"),)
    assert relaunch_params({"lti_message_hint": "m" * MAX_RELAUNCH_CHARS}) == ()


def test_storage_key_is_short_and_not_the_state() -> None:
    key = storage_key("state-abc")
    assert len(key) == 24
    assert key == storage_key("state-abc") != storage_key("state-abd")
