"""``peerlearn xapi ...`` and ``peerlearn lrs ...``: delivery and its operations."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select

from config import Settings
from lti_tool.courses.grade_passback import GradeWorker
from lti_tool.domain.outbound_urls import OutboundUrlRefused
from lti_tool.learning_records import records as learning_records
from lti_tool.learning_records.delivery import StatementWorker, WorkerSettings
from lti_tool.learning_records.records import (
    TOPIC,
    all_destinations,
    delivery_overview,
    destination_name,
)
from lti_tool.lti.ags import AgsClient
from lti_tool.lti.outbound import OutboundPolicy
from lti_tool.outbox import store as outbox
from lti_tool.outbox.runner import drain, run_until_stopped, stop_on_signals
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.models import LrsDestination, Platform
from lti_tool.secret_box import SecretBox, SecretUnreadable
from lti_tool.services import build_services

PASSWORD_VARIABLE = "PEERLEARN_LRS_PASSWORD"  # noqa: S105 - a variable name, not a secret


class XapiCommandError(Exception):
    """Printed without a traceback by the CLI."""


def add_commands(commands: Any) -> None:
    xapi = commands.add_parser("xapi", help="learning records delivery").add_subparsers(
        required=True, metavar="ACTION"
    )
    deliver = xapi.add_parser("deliver", help="deliver statements to the LRS(s)")
    deliver.add_argument("--once", action="store_true", help="drain what is due, then exit")
    deliver.add_argument(
        "--batch-size", type=int, help="statements per request (default: each LRS's setting, 100)"
    )
    deliver.add_argument(
        "--lease-seconds",
        type=float,
        default=120.0,
        help="how long a claimed batch is reserved (a killed worker's batch is retried after it)",
    )
    deliver.set_defaults(handler=_deliver)
    xapi.add_parser("status", help="backlog, dead letters and paused LRSs").set_defaults(
        handler=_status
    )
    retry = xapi.add_parser("retry-dead", help="send dead-lettered statements again")
    retry.add_argument("--lrs", type=int, help="only this LRS")
    retry.set_defaults(handler=_retry_dead)
    export = xapi.add_parser("export", help="every statement as JSON lines")
    export.add_argument("--output", type=Path, help="file (default: standard output)")
    export.set_defaults(handler=_export)

    grades = commands.add_parser("grades", help="grade passback").add_subparsers(
        required=True, metavar="ACTION"
    )
    send = grades.add_parser("deliver", help="publish queued scores to LMS gradebooks")
    send.add_argument("--once", action="store_true", help="publish what is due, then exit")
    send.set_defaults(handler=_grades_deliver)

    lrs = commands.add_parser("lrs", help="Learning Record Stores").add_subparsers(
        required=True, metavar="ACTION"
    )
    add = lrs.add_parser("add", help="deliver statements to an LRS")
    add.add_argument("--endpoint", required=True, help="the LRS's xAPI endpoint")
    add.add_argument("--username", required=True)
    _password_options(add, "the LRS's password")
    add.add_argument("--platform", metavar="ISS", help="only this platform's statements")
    add.add_argument("--name", default="")
    add.add_argument("--batch-size", type=int, default=100)
    add.set_defaults(handler=_lrs_add)
    lrs.add_parser("list", help="list LRSs").set_defaults(handler=_lrs_list)
    remove = lrs.add_parser("remove", help="stop delivering to an LRS")
    remove.add_argument("id", type=int)
    remove.set_defaults(handler=_lrs_remove)
    resume = lrs.add_parser("resume", help="resume a paused LRS (e.g. after new credentials)")
    resume.add_argument("id", type=int)
    resume.add_argument(
        "--new-password", action="store_true", help="set a new password (read as for 'lrs add')"
    )
    _password_options(resume, "the new password")
    resume.set_defaults(handler=_lrs_resume)
    lrs.add_parser(
        "rotate-secrets",
        help="re-encrypt every LRS password with the first key of PEERLEARN_SECRETS_KEYS",
    ).set_defaults(handler=_lrs_rotate_secrets)


def _password_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help=f"read {what} from standard input (default: ${PASSWORD_VARIABLE}, else a prompt)",
    )
    # Accepted only to refuse it clearly: a command line is visible to every user (ps).
    parser.add_argument("--password", help=argparse.SUPPRESS)


def _read_password(args: argparse.Namespace) -> str:
    """The password from stdin, the environment or a prompt; never from the command line."""
    if args.password is not None:
        raise XapiCommandError(
            "--password is refused: a command line is visible to other users of the machine "
            f"(ps). Use --password-stdin, the {PASSWORD_VARIABLE} environment variable, or "
            "the prompt (nothing was changed)"
        )
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(PASSWORD_VARIABLE):
        password = os.environ[PASSWORD_VARIABLE]
    elif sys.stdin.isatty():
        password = getpass.getpass("LRS password: ")
    else:
        raise XapiCommandError(
            f"no password: use --password-stdin, set {PASSWORD_VARIABLE}, or run in a terminal"
        )
    if not password:
        raise XapiCommandError("the password must not be empty")
    return password


def _engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


def _deliver(settings: Settings, args: argparse.Namespace) -> int:
    worker = StatementWorker(
        _engine(settings),
        WorkerSettings(max_batch=args.batch_size, lease_seconds=args.lease_seconds),
        secrets=SecretBox(settings.secrets_keys),
    )
    if args.once:
        print(f"delivered {drain(worker.run_once)} statements")
        return 0
    print("delivering statements; stop with Ctrl-C", file=sys.stderr)
    worker.run_forever(stop_on_signals())
    return 0


def _grades_deliver(settings: Settings, args: argparse.Namespace) -> int:
    services = build_services(settings)
    worker = GradeWorker(
        services.engine, AgsClient(services.service_tokens), services.registrations
    )
    try:
        if args.once:
            print(f"published {drain(worker.run_once)} scores")
            return 0
        print("publishing scores; stop with Ctrl-C", file=sys.stderr)
        run_until_stopped(worker.run_once, stop_on_signals())
        return 0
    finally:
        services.close()


def _status(settings: Settings, _args: argparse.Namespace) -> int:
    overview = delivery_overview(_engine(settings))
    rows, destinations = overview.rows, overview.destinations
    if not rows and not destinations:
        print("no statements yet and no LRS configured")
    now = time.time()
    for row in rows:
        destination = destinations.get(row.destination)
        label = (
            f"{row.destination} {destination.endpoint}"
            if destination
            else "held (no LRS configured: kept, see 'peerlearn xapi export')"
            if row.destination == outbox.HELD
            else f"{row.destination} (removed)"
        )
        oldest = (
            f", oldest waiting {now - row.oldest_pending_at:.0f} s" if row.oldest_pending_at else ""
        )
        print(f"{label}: {row.pending} pending{oldest}, {row.delivered} delivered, {row.dead} dead")
        for reason, count in row.dead_reasons.items():
            print(f"    dead x{count}: {reason}")
    for name, destination in destinations.items():
        if destination.paused_reason:
            print(
                f"{name} PAUSED: {destination.paused_reason} "
                f"(fix, then 'peerlearn lrs resume {destination.id}')"
            )
    return 0


def _retry_dead(settings: Settings, args: argparse.Namespace) -> int:
    with _engine(settings).begin() as connection:
        count = outbox.retry_dead(
            connection,
            topic=TOPIC,
            now=time.time(),
            destination=destination_name(args.lrs) if args.lrs else None,
        )
    print(f"{count} statements will be sent again")
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    output = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    count = 0
    with _engine(settings).connect() as connection:
        for payload in outbox.payloads(connection, topic=TOPIC):
            output.write(payload + "\n")
            count += 1
    if args.output:
        output.close()
    print(f"exported {count} statements", file=sys.stderr)
    return 0


def _lrs_add(settings: Settings, args: argparse.Namespace) -> int:
    policy = OutboundPolicy.for_settings(
        development=settings.is_development, allowed_hosts=settings.outbound_allowed_hosts
    )
    try:  # the same outbound policy as every other request Peerlearn makes
        policy.check(args.endpoint, unresolved_ok=True)
    except OutboundUrlRefused as refused:
        raise XapiCommandError(
            f"--endpoint {args.endpoint!r} refused: {refused.detail} (an LRS on an internal "
            "address must be listed in PEERLEARN_OUTBOUND_ALLOWED_HOSTS)"
        ) from None
    password = _read_password(args)
    with _engine(settings).begin() as connection:
        platform_id = None
        if args.platform:
            found = (
                connection.execute(select(Platform.id).where(Platform.issuer == args.platform))
                .scalars()
                .all()
            )
            if not found:
                raise XapiCommandError(f"no platform with issuer {args.platform!r}")
            platform_id = found[0]
        destination_id = learning_records.add_destination(
            connection,
            endpoint=args.endpoint,
            username=args.username,
            password=password,
            platform_id=platform_id,
            secrets=SecretBox(settings.secrets_keys),
            name=args.name,
            batch_size=args.batch_size,
        )
    scope = f"platform {args.platform}" if args.platform else "every platform"
    print(f"added LRS {destination_id} for {scope}: {args.endpoint}")
    return 0


def _lrs_list(settings: Settings, _args: argparse.Namespace) -> int:
    with _engine(settings).connect() as connection:
        destinations = all_destinations(connection)
    if not destinations:
        print("no LRS configured: statements are kept until one is added")
    for d in destinations:
        state = f"PAUSED ({d.paused_reason})" if d.paused_reason else "active"
        scope = f"platform {d.platform_id}" if d.platform_id else "all platforms"
        print(
            f"{d.id:>4}  {d.name or '-':<16} {d.endpoint}  user {d.username}  {scope}  "
            f"batch {d.batch_size}  {state}"
        )
    return 0


def _lrs_remove(settings: Settings, args: argparse.Namespace) -> int:
    with _engine(settings).begin() as connection:
        removed = connection.execute(
            delete(LrsDestination).where(LrsDestination.id == args.id).returning(LrsDestination.id)
        ).all()
    if not removed:
        raise XapiCommandError(f"no LRS with id {args.id}")
    print(f"removed LRS {args.id}; its undelivered statements stay in the outbox")
    return 0


def _lrs_resume(settings: Settings, args: argparse.Namespace) -> int:
    password = _read_password(args) if args.new_password or args.password is not None else None
    with _engine(settings).begin() as connection:
        if not learning_records.resume(
            connection, args.id, password=password, secrets=SecretBox(settings.secrets_keys)
        ):
            raise XapiCommandError(f"no LRS with id {args.id}")
    print(f"LRS {args.id} resumed")
    return 0


def _lrs_rotate_secrets(settings: Settings, _args: argparse.Namespace) -> int:
    try:
        with _engine(settings).begin() as connection:
            count = learning_records.reseal_passwords(connection, SecretBox(settings.secrets_keys))
    except SecretUnreadable as error:
        raise XapiCommandError(
            f"{error}: nothing was changed; list the key they were encrypted with "
            "(after the new one) in PEERLEARN_SECRETS_KEYS and run this again"
        ) from None
    print(f"re-encrypted {count} LRS passwords with the first key of PEERLEARN_SECRETS_KEYS")
    return 0
