"""Interfaces the domain and the LTI layer depend on; adapters live at the edges."""

from __future__ import annotations

from typing import Any, Protocol


class EphemeralStore(Protocol):
    """Short-lived key/value data shared by every Peerlearn process.

    Used for OIDC state, consumed nonces and cached launch data. Values are JSON-able.
    """

    def put(self, key: str, value: Any, ttl_seconds: int) -> None:
        """Store ``value`` under ``key`` for ``ttl_seconds``, replacing any earlier value."""

    def get(self, key: str) -> Any | None:
        """The live value under ``key``, or None when absent or expired."""

    def add_once(self, key: str, value: Any, ttl_seconds: int) -> bool:
        """Store ``value`` only if no live value exists; True for exactly one caller.

        Atomic across processes: this is what makes a nonce usable once.
        """

    def pop(self, key: str) -> Any | None:
        """Remove ``key`` and return its live value, atomically; None when absent."""


class Clock(Protocol):
    def __call__(self) -> float:
        """Seconds since the Unix epoch."""
