"""RSA keys made once per test process and copied where a test needs them.

Generating a 2048-bit key costs 50-100 ms; a functional test used to make two (the tool's
and its LMS's). The tool's key ring is generated once and its files copied into each
test's ``keys_dir``; LMS keys come from a small pool, one per LMS running at the same time,
so two platforms in one test never share a key.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_tool.keys import KeyRing


@cache
def _tool_key_files() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory(prefix="peerlearn-keys-") as directory:
        KeyRing(Path(directory)).generate()
        return {path.name: path.read_bytes() for path in Path(directory).iterdir()}


def install_tool_keys(keys_dir: Path) -> Path:
    """Put this process's tool key ring (one active key) into ``keys_dir``, as
    ``KeyRing(keys_dir).generate()`` would, without generating a key."""
    keys_dir.mkdir(parents=True, exist_ok=True)
    for name, content in _tool_key_files().items():
        path = keys_dir / name
        path.write_bytes(content)
        path.chmod(0o600)
    return keys_dir


@cache
def lms_key_pem(index: int) -> bytes:
    """The ``index``-th LMS key of this process (PKCS#8 PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def install_lms_key(path: Path, index: int) -> Path:
    """Write the ``index``-th LMS key to ``path`` unless a key is there already."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(lms_key_pem(index))
        path.chmod(0o600)
    return path
