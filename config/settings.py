"""Typed settings loaded from the environment and an optional TOML file.

Nothing here runs at import time: :func:`load_settings` is called by the app factory and
the CLI. Production refuses to start without real secrets; development generates what it
needs and says so, loudly, through the returned ``notices``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

PREFIX = "PEERLEARN_"
_KNOWN = (
    "ENV",
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "BASE_URL",
    "KEYS_DIR",
    "INSTANCE_DIR",
    "LAUNCH_SESSION_MINUTES",
    "CLOCK_SKEW_SECONDS",
    "JWKS_REFETCH_SECONDS",
    "XAPI_IN_PROCESS",
    "ROSTER_SYNC_MINUTES",
    "REGISTRATION_APPROVAL",
    "REGISTRATION_ALLOWED_HOSTS",
    "OUTBOUND_ALLOWED_HOSTS",
    "STORAGE_DIR",
    "VIDEO_PROVIDERS",
    "LIBRARY_MAX_FILE_MB",
    "SECRETS_KEYS",
)


class SettingsError(ValueError):
    """The configuration cannot be used; the message says which setting and why."""


class Environment(enum.StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything Peerlearn reads from its environment, validated once."""

    env: Environment = Environment.DEVELOPMENT
    database_url: str
    redis_url: str | None = None
    secret_key: str
    base_url: str
    keys_dir: Path
    instance_dir: Path
    launch_session_minutes: int = 120
    clock_skew_seconds: int = 60
    jwks_refetch_seconds: int = 60
    # Deliver learning records from a thread of each app process (single-machine
    # installs) instead of a separate `peerlearn xapi deliver` process.
    xapi_in_process: bool = False
    # A staff launch asks for a course roster sync at most once per this many minutes.
    roster_sync_minutes: int = 10
    # Platforms that register themselves (LTI Dynamic Registration) start inactive and
    # cannot launch until `peerlearn platform approve ID`. `load_settings` turns it on in
    # production unless PEERLEARN_REGISTRATION_APPROVAL says otherwise.
    registration_approval: bool = False
    # Hosts an LMS may register from (exact host, or ".example.edu" for its subdomains);
    # empty means any host.
    registration_allowed_hosts: tuple[str, ...] = ()
    # Hosts Peerlearn may reach although they resolve to internal addresses (loopback,
    # private, link-local): an on-premises LMS or LRS. Development allows loopback anyway.
    outbound_allowed_hosts: tuple[str, ...] = ()
    # Where uploaded files are kept (default: "storage" in the instance folder).
    storage_dir: Path | None = None
    # Video providers the library may embed besides YouTube and Vimeo: a JSON list of
    # {"name", "label", "url", "embed"} (see lti_tool/domain/library/video.py); checked
    # when the app starts.
    video_providers: str = ""
    # Largest file a library item may attach, in megabytes.
    library_max_file_mb: int = 20
    # Fernet keys (urlsafe base64 of 32 bytes) that encrypt secrets kept in the database
    # (LRS passwords), newest first: the first encrypts, every one decrypts. See
    # docs/security.md, "Secrets at rest", for rotation.
    secrets_keys: tuple[str, ...] = ()
    notices: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_development(self) -> bool:
        return self.env is Environment.DEVELOPMENT

    @property
    def files_dir(self) -> Path:
        return self.storage_dir or self.instance_dir / "storage"

    def url_for_path(self, path: str) -> str:
        """The public URL of one of our paths, as handed to an LMS."""
        return self.base_url + "/" + path.lstrip("/")

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def load_settings(
    environ: Mapping[str, str] | None = None, *, config_file: Path | None = None
) -> Settings:
    """Read settings from ``environ`` (default ``os.environ``) and an optional TOML file.

    The file (``PEERLEARN_CONFIG_FILE`` or ``config_file``) holds the same names in lower
    case without the prefix; environment variables win over it.
    """
    env_vars = dict(os.environ if environ is None else environ)
    values = _file_values(config_file or _path_or_none(env_vars.get(PREFIX + "CONFIG_FILE")))
    for name in _KNOWN:
        if (PREFIX + name) in env_vars and env_vars[PREFIX + name] != "":
            values[name.lower()] = env_vars[PREFIX + name]

    try:
        env = Environment(values.get("env", Environment.DEVELOPMENT.value).lower())
    except ValueError:
        raise SettingsError(
            f"PEERLEARN_ENV must be 'development' or 'production', not {values.get('env')!r}"
        ) from None

    notices: list[str] = []
    instance_dir = Path(values.get("instance_dir") or Path.cwd() / "instance").resolve()
    keys_dir = Path(values.get("keys_dir") or Path.cwd() / "keys").resolve()
    base_url = _base_url(values.get("base_url"), env, notices)
    secret_key = _secret_key(values.get("secret_key"), env, instance_dir, notices)
    database_url = values.get("database_url") or _default_database(env, instance_dir, notices)
    secrets_keys = _secrets_keys(values.get("secrets_keys", ""), env, instance_dir, notices)

    return Settings(
        env=env,
        database_url=database_url,
        redis_url=values.get("redis_url") or None,
        secret_key=secret_key,
        base_url=base_url,
        keys_dir=keys_dir,
        instance_dir=instance_dir,
        launch_session_minutes=_positive_int(values, "launch_session_minutes", 120),
        clock_skew_seconds=_positive_int(values, "clock_skew_seconds", 60),
        jwks_refetch_seconds=_positive_int(values, "jwks_refetch_seconds", 60),
        xapi_in_process=_flag(values, "xapi_in_process"),
        roster_sync_minutes=_positive_int(values, "roster_sync_minutes", 10),
        registration_approval=_flag(
            values, "registration_approval", default=env is Environment.PRODUCTION
        ),
        registration_allowed_hosts=_hosts(values.get("registration_allowed_hosts", "")),
        outbound_allowed_hosts=_hosts(
            values.get("outbound_allowed_hosts", ""), "OUTBOUND_ALLOWED_HOSTS"
        ),
        storage_dir=Path(values["storage_dir"]).resolve() if values.get("storage_dir") else None,
        video_providers=values.get("video_providers", ""),
        library_max_file_mb=_positive_int(values, "library_max_file_mb", 20),
        secrets_keys=secrets_keys,
        notices=tuple(notices),
    )


def _path_or_none(raw: str | None) -> Path | None:
    return Path(raw) if raw else None


def _file_values(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"settings file {path} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - {name.lower() for name in _KNOWN})
    if unknown:
        raise SettingsError(f"settings file {path} has unknown settings: {', '.join(unknown)}")
    return {
        key: ",".join(map(str, value)) if isinstance(value, list) else str(value)
        for key, value in data.items()
    }


def _base_url(raw: str | None, env: Environment, notices: list[str]) -> str:
    if not raw:
        if env is Environment.PRODUCTION:
            raise SettingsError("PEERLEARN_BASE_URL is required in production (an https URL)")
        notices.append("PEERLEARN_BASE_URL not set: using http://localhost:5000")
        return "http://localhost:5000"
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"PEERLEARN_BASE_URL must be an absolute http(s) URL, not {raw!r}")
    if env is Environment.PRODUCTION and parts.scheme != "https":
        raise SettingsError("PEERLEARN_BASE_URL must use https in production")
    return raw.rstrip("/")


def _secret_key(raw: str | None, env: Environment, instance_dir: Path, notices: list[str]) -> str:
    if raw:
        if env is Environment.PRODUCTION and len(raw) < 32:
            raise SettingsError("PEERLEARN_SECRET_KEY must be at least 32 characters in production")
        return raw
    if env is Environment.PRODUCTION:
        raise SettingsError("PEERLEARN_SECRET_KEY is required in production")
    # Development keeps one generated secret so launch sessions survive a restart.
    path = instance_dir / "dev-secret-key"
    if path.exists():
        path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()
    secret = secrets.token_urlsafe(48)
    _write_private(instance_dir, path, secret)
    notices.append(f"PEERLEARN_SECRET_KEY not set: generated a development secret in {path}")
    return secret


def _secrets_keys(
    raw: str, env: Environment, instance_dir: Path, notices: list[str]
) -> tuple[str, ...]:
    """Fernet keys, newest first. Required in production; development generates one."""
    keys = tuple(part.strip() for part in raw.split(",") if part.strip())
    for number, key in enumerate(keys, start=1):
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (binascii.Error, UnicodeEncodeError, ValueError):
            valid = False
        if not valid:
            raise SettingsError(
                f"PEERLEARN_SECRETS_KEYS key {number} is not a Fernet key (urlsafe base64 of "
                "32 bytes; make one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)"
            )
    if keys:
        return keys
    if env is Environment.PRODUCTION:
        raise SettingsError(
            "PEERLEARN_SECRETS_KEYS is required in production (it encrypts LRS passwords)"
        )
    path = instance_dir / "dev-secrets-key"
    if path.exists():
        path.chmod(0o600)
        return (path.read_text(encoding="utf-8").strip(),)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
    _write_private(instance_dir, path, key)
    notices.append(f"PEERLEARN_SECRETS_KEYS not set: generated a development key in {path}")
    return (key,)


def _private_dir(folder: Path) -> None:
    """The instance folder holds secrets: readable by its owner only (0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)


def _write_private(folder: Path, path: Path, text: str) -> None:
    _private_dir(folder)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)


def _default_database(env: Environment, instance_dir: Path, notices: list[str]) -> str:
    if env is Environment.PRODUCTION:
        raise SettingsError("PEERLEARN_DATABASE_URL is required in production")
    _private_dir(instance_dir)
    path = instance_dir / "peerlearn.sqlite3"
    # SQLite would create the file with the umask (often 0644); an empty file is an empty
    # database, so create it private first. Its journal files copy these permissions.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    path.chmod(0o600)
    notices.append(f"PEERLEARN_DATABASE_URL not set: using SQLite at {path}")
    return f"sqlite:///{path}"


def _flag(values: Mapping[str, str], name: str, *, default: bool = False) -> bool:
    raw = values.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in {"0", "false", "no", "off"}:
        return False
    if raw in {"1", "true", "yes", "on"}:
        return True
    raise SettingsError(f"PEERLEARN_{name.upper()} must be true or false, not {raw!r}")


def _hosts(raw: str, name: str = "REGISTRATION_ALLOWED_HOSTS") -> tuple[str, ...]:
    """Host names separated by commas or spaces, lower-cased; no schemes, paths or ports."""
    hosts = tuple(dict.fromkeys(part.lower() for part in re.split(r"[,\s]+", raw) if part))
    for host in hosts:
        if not re.fullmatch(r"\.?[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:]+\]", host):
            raise SettingsError(f"PEERLEARN_{name} must list host names, not {host!r}")
    return hosts


def _positive_int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name)
    if raw is None:
        return default
    try:
        number = int(raw)
    except ValueError:
        raise SettingsError(
            f"PEERLEARN_{name.upper()} must be a whole number, not {raw!r}"
        ) from None
    if number <= 0:
        raise SettingsError(f"PEERLEARN_{name.upper()} must be positive, not {number}")
    return number
