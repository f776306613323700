"""Secrets Peerlearn must keep and present again (LRS passwords), encrypted at rest.

The keys come from ``PEERLEARN_SECRETS_KEYS``, newest first (``cryptography``'s
MultiFernet): the newest encrypts, every listed key decrypts, and :meth:`SecretBox.reseal`
re-encrypts a value with the newest key (``peerlearn lrs rotate-secrets``). A database
copy or backup alone reveals no password.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretUnreadable(Exception):
    """No configured key decrypts the value: a key was removed before rotating."""


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        self._fernet = MultiFernet([Fernet(key) for key in keys]) if keys else None

    def _keys(self) -> MultiFernet:
        if self._fernet is None:
            raise SecretUnreadable("no PEERLEARN_SECRETS_KEYS configured")
        return self._fernet

    def seal(self, clear: str) -> str:
        """``clear`` encrypted with the newest key (a Fernet token, ASCII)."""
        return self._keys().encrypt(clear.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._keys().decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as error:
            raise SecretUnreadable(
                "no key in PEERLEARN_SECRETS_KEYS decrypts this secret"
            ) from error

    def reseal(self, sealed: str) -> str:
        """The same secret encrypted with the newest key."""
        try:
            return self._keys().rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError) as error:
            raise SecretUnreadable(
                "no key in PEERLEARN_SECRETS_KEYS decrypts this secret"
            ) from error
