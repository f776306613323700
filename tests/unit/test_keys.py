from __future__ import annotations

import json
from pathlib import Path

import pytest
from jwcrypto.jwk import JWK

from lti_tool.keys import KeyRing, KeyRingError


def test_generate_writes_private_key_0600_with_thumbprint_kid(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path)
    key = ring.generate()
    assert (tmp_path / f"{key.kid}.pem").stat().st_mode & 0o777 == 0o600
    assert key.private_key.key_size >= 2048
    # RFC 7638, computed independently by jwcrypto.
    assert JWK(**ring.jwks()["keys"][0]).thumbprint() == key.kid
    with pytest.raises(KeyRingError, match="rotate"):
        ring.generate()


def test_rotation_keeps_publishing_the_old_key_until_retired(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path, check_interval=0)
    first = ring.generate()
    second = ring.rotate()
    assert ring.signing_key().kid == second.kid
    assert [k["kid"] for k in ring.jwks()["keys"]] == [second.kid, first.kid]
    assert [k.status for k in ring.keys()] == ["active", "retiring"]  # noqa: SIM118 - not a dict
    ring.retire(first.kid)
    assert [k["kid"] for k in ring.jwks()["keys"]] == [second.kid]
    assert not (tmp_path / f"{first.kid}.pem").exists()


def test_the_only_active_key_cannot_be_retired(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path)
    key = ring.generate()
    with pytest.raises(KeyRingError, match="only active"):
        ring.retire(key.kid)
    with pytest.raises(KeyRingError, match="no key"):
        ring.retire("nope")


def test_another_process_rotation_is_seen(tmp_path: Path) -> None:
    reader = KeyRing(tmp_path, check_interval=0)
    KeyRing(tmp_path).generate()
    first = reader.signing_key()
    rotated = KeyRing(tmp_path).rotate()
    assert reader.signing_key().kid == rotated.kid != first.kid


def test_keys_are_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ring = KeyRing(tmp_path, check_interval=0)
    ring.generate()
    ring.keys()
    calls = []
    import lti_tool.keys as keys_module  # noqa: PLC0415

    original = keys_module.serialization.load_pem_private_key
    monkeypatch.setattr(
        keys_module.serialization,
        "load_pem_private_key",
        lambda *a, **k: calls.append(1) or original(*a, **k),
    )
    for _ in range(5):
        ring.signing_key()
    KeyRing(tmp_path).rotate()
    ring.signing_key()
    assert len(calls) == 1  # only the new key was read


def test_no_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KeyRingError, match="peerlearn keys generate"):
        KeyRing(tmp_path).signing_key()
    assert json.loads(json.dumps(KeyRing(tmp_path).jwks())) == {"keys": []}
