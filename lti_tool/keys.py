"""The tool's RSA signing keys: generation, rotation, publication.

Keys live in ``PEERLEARN_KEYS_DIR`` as ``<kid>.pem`` files (mode 0600) beside a
``keys.json`` manifest that records each key's status. The newest *active* key signs;
*retiring* keys stay published in the JWKS so platforms that cached our key set keep
verifying tokens signed before a rotation. Private keys are parsed once per process and
kept as key objects: parsing a PEM costs tens of milliseconds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

MANIFEST = "keys.json"
KEY_SIZE = 2048
ACTIVE = "active"
RETIRING = "retiring"


class KeyRingError(Exception):
    """A key operation cannot be done; the message says why."""


@dataclass(frozen=True)
class ToolKey:
    kid: str
    status: str
    created: str
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, str]:
        return {
            **rsa_public_jwk(self.private_key.public_key()),
            "kid": self.kid,
            "alg": "RS256",
            "use": "sig",
        }


def _b64uint(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def rsa_public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "n": _b64uint(numbers.n), "e": _b64uint(numbers.e)}


def thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of an RSA public key."""
    jwk = rsa_public_jwk(public_key)
    canonical = json.dumps(
        {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class KeyRing:
    """The keys in one directory, reloaded when another process changes the manifest."""

    def __init__(self, directory: Path, *, check_interval: float = 1.0) -> None:
        self.directory = directory
        self._check_interval = check_interval
        self._lock = threading.Lock()
        self._keys: list[ToolKey] = []
        self._loaded_stamp: int | None = None
        self._checked_at = 0.0

    # -- reading ---------------------------------------------------------------
    def keys(self) -> list[ToolKey]:
        """Published keys, newest first."""
        now = time.monotonic()
        if now - self._checked_at >= self._check_interval or self._loaded_stamp is None:
            with self._lock:
                self._checked_at = now
                stamp = self._manifest_stamp()
                if stamp != self._loaded_stamp:
                    self._keys = self._load()
                    self._loaded_stamp = stamp
        return self._keys

    def signing_key(self) -> ToolKey:
        for key in self.keys():
            if key.status == ACTIVE:
                return key
        raise KeyRingError(
            f"no active signing key in {self.directory}: run 'peerlearn keys generate'"
        )

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.public_jwk() for key in self.keys()]}

    # -- changing --------------------------------------------------------------
    def generate(self) -> ToolKey:
        """Create the first active key; refuses when one exists (use :meth:`rotate`)."""
        if any(entry["status"] == ACTIVE for entry in self._read_manifest()):
            raise KeyRingError("an active key exists already: use 'peerlearn keys rotate'")
        return self._add_key(demote_active=False)

    def ensure_signing_key(self) -> ToolKey | None:
        """Generate a key when none is active; returns the new key, or None."""
        if any(entry["status"] == ACTIVE for entry in self._read_manifest()):
            return None
        return self._add_key(demote_active=False)

    def rotate(self) -> ToolKey:
        """Add a new signing key; earlier active keys become retiring (still published)."""
        return self._add_key(demote_active=True)

    def retire(self, kid: str) -> None:
        """Stop publishing a key and delete its private part."""
        entries = self._read_manifest()
        entry = next((item for item in entries if item["kid"] == kid), None)
        if entry is None:
            raise KeyRingError(f"no key with kid {kid!r}")
        if entry["status"] == ACTIVE and not any(
            item["status"] == ACTIVE for item in entries if item is not entry
        ):
            raise KeyRingError("refusing to retire the only active key: rotate first")
        self._write_manifest([item for item in entries if item is not entry])
        (self.directory / f"{kid}.pem").unlink(missing_ok=True)
        self._loaded_stamp = None

    # -- internals -------------------------------------------------------------
    def _add_key(self, *, demote_active: bool) -> ToolKey:
        self.directory.mkdir(parents=True, exist_ok=True)
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        kid = thumbprint(private_key.public_key())
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path = self.directory / f"{kid}.pem"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        path.chmod(0o600)
        entries = self._read_manifest()
        if demote_active:
            for entry in entries:
                if entry["status"] == ACTIVE:
                    entry["status"] = RETIRING
        created = datetime.now(UTC).isoformat(timespec="microseconds")
        entries.insert(0, {"kid": kid, "status": ACTIVE, "created": created})
        self._write_manifest(entries)
        self._loaded_stamp = None
        return ToolKey(kid=kid, status=ACTIVE, created=created, private_key=private_key)

    def _manifest_stamp(self) -> int | None:
        try:
            return (self.directory / MANIFEST).stat().st_mtime_ns
        except FileNotFoundError:
            return None

    def _read_manifest(self) -> list[dict[str, Any]]:
        try:
            data = json.loads((self.directory / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        entries: list[dict[str, Any]] = data.get("keys", [])
        return sorted(entries, key=lambda item: item["created"], reverse=True)

    def _write_manifest(self, entries: list[dict[str, Any]]) -> None:
        # Write then rename, so a reader in another process never sees half a manifest.
        self.directory.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".keys-")
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump({"keys": entries}, handle, indent=2)
        Path(temporary).replace(self.directory / MANIFEST)

    def _load(self) -> list[ToolKey]:
        cached = {key.kid: key for key in self._keys}
        loaded: list[ToolKey] = []
        for entry in self._read_manifest():
            kid = entry["kid"]
            if kid in cached:
                private_key = cached[kid].private_key
            else:
                path = self.directory / f"{kid}.pem"
                try:
                    parsed = serialization.load_pem_private_key(path.read_bytes(), password=None)
                except FileNotFoundError:
                    continue
                if not isinstance(parsed, rsa.RSAPrivateKey):
                    raise KeyRingError(f"{path} is not an RSA private key")
                private_key = parsed
            loaded.append(
                ToolKey(
                    kid=kid,
                    status=entry["status"],
                    created=entry["created"],
                    private_key=private_key,
                )
            )
        return loaded
