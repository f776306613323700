"""The secrets keys every test app uses (PEERLEARN_SECRETS_KEYS), and a box to match."""

from __future__ import annotations

from lti_tool.secret_box import SecretBox

SECRETS_KEYS = ("vKAoBn6Fs3kU5KW8IXnVqcjvr942NkxhnFeGhhMO2Xg=",)
# A second key, for rotation tests (never configured by default).
NEWER_KEY = "aXzAYCkwTlQ5VfB6Hf7cE7TiaZxej1F4inYndrLroVI="
SECRETS = SecretBox(SECRETS_KEYS)
