"""The ``peerlearn`` command: serve, database, keys and platform registrations."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config import Settings, SettingsError, load_settings
from lti_tool.cli.lti import LtiCommandError
from lti_tool.cli.lti import add_commands as add_lti_commands
from lti_tool.cli.xapi import XapiCommandError
from lti_tool.cli.xapi import add_commands as add_xapi_commands
from lti_tool.keys import KeyRing, KeyRingError
from lti_tool.persistence.db import make_engine, make_session_factory
from lti_tool.persistence.migrate import current, upgrade
from lti_tool.persistence.models import Deployment, Platform


class CommandError(Exception):
    """A command that cannot be done; printed without a traceback."""


def _kid_as_operand(argv: list[str]) -> list[str]:
    """Key ids are base64url and may start with '-': never read one as an option."""
    for index in range(len(argv) - 2):
        kid = argv[index + 2]
        if (
            argv[index : index + 2] == ["keys", "retire"]
            and kid.startswith("-")
            and kid not in {"-h", "--help", "--"}
        ):
            return [*argv[: index + 2], "--", *argv[index + 2 :]]
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_kid_as_operand(list(sys.argv[1:] if argv is None else argv)))
    try:
        settings = load_settings()
        return int(args.handler(settings, args) or 0)
    except (SettingsError, CommandError, KeyRingError, XapiCommandError, LtiCommandError) as error:
        print(f"peerlearn: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peerlearn", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run Peerlearn (development server)")
    serve.add_argument("--host", help="address to listen on (default: from PEERLEARN_BASE_URL)")
    serve.add_argument("--port", type=int, help="port (default: from PEERLEARN_BASE_URL)")
    serve.set_defaults(handler=_serve)

    database = commands.add_parser("db", help="database migrations").add_subparsers(
        required=True, metavar="ACTION"
    )
    database.add_parser("upgrade", help="migrate to the newest schema").set_defaults(
        handler=lambda settings, _args: upgrade(
            settings.database_url, secrets_keys=settings.secrets_keys
        )
    )
    database.add_parser("current", help="show the schema revision").set_defaults(
        handler=lambda settings, _args: current(settings.database_url)
    )

    keys = commands.add_parser("keys", help="the tool's signing keys").add_subparsers(
        required=True, metavar="ACTION"
    )
    keys.add_parser("generate", help="create the first signing key").set_defaults(
        handler=_keys_generate
    )
    keys.add_parser(
        "rotate", help="new signing key; the old one keeps being published"
    ).set_defaults(handler=_keys_rotate)
    keys.add_parser("list", help="list keys").set_defaults(handler=_keys_list)
    retire = keys.add_parser("retire", help="stop publishing a key and delete it")
    retire.add_argument("kid")
    retire.set_defaults(handler=_keys_retire)

    platform = commands.add_parser("platform", help="LMS registrations").add_subparsers(
        required=True, metavar="ACTION"
    )
    add = platform.add_parser("add", help="register an LMS (issuer + client id)")
    add.add_argument("--issuer", required=True)
    add.add_argument("--client-id", required=True)
    add.add_argument("--auth-login-url", required=True)
    add.add_argument("--auth-token-url", required=True)
    add.add_argument("--jwks-url", required=True)
    add.add_argument("--auth-audience")
    add.add_argument("--deployment-id", action="append", default=[])
    add.add_argument("--name", default="")
    add.add_argument(
        "--xapi-share-names",
        action="store_true",
        help="name people in learning records (default: LMS account ids only)",
    )
    add.set_defaults(handler=_platform_add)
    platform.add_parser("list", help="list registrations").set_defaults(handler=_platform_list)
    show = platform.add_parser("show", help="show one registration")
    show.add_argument("id", type=int)
    show.set_defaults(handler=_platform_show)
    remove = platform.add_parser("remove", help="delete a registration and its data")
    remove.add_argument("id", type=int)
    remove.set_defaults(handler=_platform_remove)
    approve = platform.add_parser(
        "approve", help="let a platform that registered itself launch Peerlearn"
    )
    approve.add_argument("id", type=int)
    approve.set_defaults(handler=_platform_approve)
    _add_platform_update(platform)
    add_deployment = platform.add_parser("add-deployment", help="add a deployment id")
    add_deployment.add_argument("id", type=int)
    add_deployment.add_argument("deployment_id")
    add_deployment.set_defaults(handler=_platform_add_deployment)
    add_xapi_commands(commands)
    add_lti_commands(commands)
    return parser


# -- serve ------------------------------------------------------------------------------
def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if not settings.is_development:
        raise CommandError(
            "in production run gunicorn, e.g. "
            "gunicorn -c python:lti_tool.gunicorn_conf -w 4 --threads 4 -b 0.0.0.0:8000 "
            "'lti_tool:create_app()'"
        )
    from lti_tool import create_app  # noqa: PLC0415 - the web stack loads only to serve
    from lti_tool.demo.web import register_platform  # noqa: PLC0415

    upgrade(settings.database_url, secrets_keys=settings.secrets_keys)
    ring = KeyRing(settings.keys_dir)
    if ring.ensure_signing_key():
        print(f"[development] generated a tool signing key in {settings.keys_dir}", file=sys.stderr)
    app = create_app(settings)
    register_platform(app.extensions["peerlearn"].sessions, app.extensions["peerlearn_demo"]())
    parts = urlsplit(settings.base_url)
    host = args.host or parts.hostname or "localhost"
    port = args.port or parts.port or (443 if parts.scheme == "https" else 80)
    print(
        f"\nPeerlearn is running. Open the demo LMS: {settings.base_url}/demo/\n"
        f"LMS registration values: {settings.base_url}/lti/config\n",
        flush=True,
    )
    app.run(host=host, port=port, threaded=True, use_reloader=False)
    return 0


# -- keys -------------------------------------------------------------------------------
def _keys_generate(settings: Settings, _args: argparse.Namespace) -> None:
    key = KeyRing(settings.keys_dir).generate()
    print(f"generated {key.kid} (active) in {settings.keys_dir}")


def _keys_rotate(settings: Settings, _args: argparse.Namespace) -> None:
    key = KeyRing(settings.keys_dir).rotate()
    print(f"generated {key.kid} (active); earlier active keys are now retiring")


def _keys_list(settings: Settings, _args: argparse.Namespace) -> None:
    keys = KeyRing(settings.keys_dir).keys()
    if not keys:
        print("no keys: run 'peerlearn keys generate'")
    for key in keys:
        print(f"{key.kid}  {key.status:<8}  created {key.created}")


def _keys_retire(settings: Settings, args: argparse.Namespace) -> None:
    KeyRing(settings.keys_dir).retire(args.kid)
    print(f"retired {args.kid}")


# -- platforms --------------------------------------------------------------------------
def _sessions(settings: Settings):  # type: ignore[no-untyped-def]
    return make_session_factory(make_engine(settings.database_url))


def _check_url(name: str, url: str, settings: Settings) -> str:
    parts = urlsplit(url)
    loopback = parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise CommandError(f"{name} must be an absolute URL, not {url!r}")
    if parts.scheme == "http" and not (settings.is_development or loopback):
        raise CommandError(f"{name} must use https in production")
    return url


def _platform_add(settings: Settings, args: argparse.Namespace) -> None:
    platform = Platform(
        issuer=args.issuer.strip(),
        client_id=args.client_id.strip(),
        name=args.name,
        auth_login_url=_check_url("--auth-login-url", args.auth_login_url, settings),
        auth_token_url=_check_url("--auth-token-url", args.auth_token_url, settings),
        jwks_url=_check_url("--jwks-url", args.jwks_url, settings),
        auth_audience=args.auth_audience or None,
        xapi_share_names=args.xapi_share_names,
    )
    if not platform.issuer or not platform.client_id:
        raise CommandError("--issuer and --client-id must not be empty")
    platform.deployments = [
        Deployment(deployment_id=d.strip()) for d in dict.fromkeys(args.deployment_id) if d.strip()
    ]
    try:
        with _sessions(settings).begin() as session:
            session.add(platform)
            session.flush()
            platform_id = platform.id
    except IntegrityError:
        raise CommandError(
            f"issuer {args.issuer!r} with client id {args.client_id!r} is registered already"
        ) from None
    print(f"registered platform {platform_id}: {args.issuer} (client id {args.client_id})")


def _platform_list(settings: Settings, _args: argparse.Namespace) -> None:
    with _sessions(settings)() as session:
        platforms = session.scalars(select(Platform).order_by(Platform.id)).all()
        if not platforms:
            print("no platforms registered: see 'peerlearn platform add --help'")
        for platform in platforms:
            deployments = ", ".join(d.deployment_id for d in platform.deployments) or "none"
            print(
                f"{platform.id:>4}  {platform.name or '-':<20}  {_status(platform):<7}  "
                f"{platform.issuer}  client {platform.client_id}  deployments {deployments}"
            )


def _status(platform: Platform) -> str:
    return "active" if platform.active else "pending"


def _get_platform(session, platform_id: int) -> Platform:  # type: ignore[no-untyped-def]
    platform: Platform | None = session.get(Platform, platform_id)
    if platform is None:
        raise CommandError(f"no platform with id {platform_id}")
    return platform


def _platform_show(settings: Settings, args: argparse.Namespace) -> None:
    with _sessions(settings)() as session:
        platform = _get_platform(session, args.id)
        for label, value in (
            ("id", platform.id),
            ("name", platform.name),
            ("issuer", platform.issuer),
            ("client id", platform.client_id),
            ("auth login url", platform.auth_login_url),
            ("auth token url", platform.auth_token_url),
            ("jwks url", platform.jwks_url),
            ("auth audience", platform.auth_audience or "-"),
            ("deployments", ", ".join(d.deployment_id for d in platform.deployments) or "none"),
            (
                "status",
                "active"
                if platform.active
                else f"awaiting approval: peerlearn platform approve {platform.id}",
            ),
            ("registered", platform.created_at.isoformat()),
        ):
            print(f"{label:>15}: {value}")


def _platform_remove(settings: Settings, args: argparse.Namespace) -> None:
    with _sessions(settings).begin() as session:
        session.delete(_get_platform(session, args.id))
    print(f"removed platform {args.id} and everything launched from it")


def _platform_approve(settings: Settings, args: argparse.Namespace) -> None:
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            platform = _get_platform(session, args.id)
            was_active, platform.active = platform.active, True
            issuer, client_id = platform.issuer, platform.client_id
    finally:
        engine.dispose()
    if was_active:
        print(f"platform {args.id} is active already")
        return
    # Pending registrations are never cached (lti_tool/lti/registrations.py): every
    # process accepts the platform's next login.
    print(f"approved platform {args.id}: {issuer} (client id {client_id}); it can launch now")


def _add_platform_update(platform: Any) -> None:
    update = platform.add_parser(
        "update", help="change a registration's addresses (Dynamic Registration never does)"
    )
    update.add_argument("id", type=int)
    for option in ("--auth-login-url", "--auth-token-url", "--jwks-url", "--auth-audience"):
        update.add_argument(option)
    update.add_argument("--name")
    update.set_defaults(handler=_platform_update)


def _platform_update(settings: Settings, args: argparse.Namespace) -> None:
    """Change what LTI Dynamic Registration may only create, printing each change."""
    wanted = {
        "auth_login_url": args.auth_login_url
        and _check_url("--auth-login-url", args.auth_login_url, settings),
        "auth_token_url": args.auth_token_url
        and _check_url("--auth-token-url", args.auth_token_url, settings),
        "jwks_url": args.jwks_url and _check_url("--jwks-url", args.jwks_url, settings),
        "auth_audience": args.auth_audience,
        "name": args.name,
    }
    with _sessions(settings).begin() as session:
        platform = _get_platform(session, args.id)
        changes = [
            (field, getattr(platform, field), value)
            for field, value in wanted.items()
            if value is not None and value != getattr(platform, field)
        ]
        for field, _old, value in changes:
            setattr(platform, field, value)
        if any(field == "jwks_url" for field, _old, _value in changes):
            platform.jwks, platform.jwks_fetched_at = None, None  # the old key set's keys
    if not changes:
        print(f"platform {args.id} unchanged")
    for field, old, value in changes:
        print(f"platform {args.id}: {field.replace('_', ' ')} {old or '-'} -> {value}")


def _platform_add_deployment(settings: Settings, args: argparse.Namespace) -> None:
    try:
        with _sessions(settings).begin() as session:
            platform = _get_platform(session, args.id)
            session.add(Deployment(platform_id=platform.id, deployment_id=args.deployment_id))
    except IntegrityError:
        raise CommandError(f"deployment {args.deployment_id!r} exists already") from None
    print(f"added deployment {args.deployment_id} to platform {args.id}")


if __name__ == "__main__":
    sys.exit(main())
