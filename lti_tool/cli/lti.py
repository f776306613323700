"""``peerlearn lti ...`` and ``peerlearn roster ...``: LTI Advantage services work.

``peerlearn lti deliver`` runs every LMS-bound worker (grade passback and roster syncs)
in one process; ``peerlearn roster sync`` syncs one course's roster at once.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from config import Settings
from lti_tool.courses.grade_passback import GradeWorker
from lti_tool.courses.lms_groups import GroupSync
from lti_tool.courses.roster import RosterSync
from lti_tool.courses.roster_worker import RosterWorker
from lti_tool.domain.errors import PeerlearnError
from lti_tool.learning_records.recorder import Recorder
from lti_tool.lti.ags import AgsClient
from lti_tool.lti.course_groups import CourseGroupsClient
from lti_tool.lti.nrps import NrpsClient
from lti_tool.outbox.runner import drain, run_until_stopped, stop_on_signals
from lti_tool.peer_review.reassign import reassign_due
from lti_tool.peer_review.scheduler import allocate_due
from lti_tool.persistence.models import Context, Deployment, Platform
from lti_tool.services import Services, build_services


class LtiCommandError(Exception):
    """Printed without a traceback by the CLI."""


def add_commands(commands: Any) -> None:
    lti = commands.add_parser("lti", help="LTI Advantage services").add_subparsers(
        required=True, metavar="ACTION"
    )
    deliver = lti.add_parser(
        "deliver", help="publish queued scores and run queued roster syncs (one worker)"
    )
    deliver.add_argument("--once", action="store_true", help="do what is due, then exit")
    deliver.set_defaults(handler=_deliver)

    roster = commands.add_parser("roster", help="course rosters (NRPS)").add_subparsers(
        required=True, metavar="ACTION"
    )
    sync = roster.add_parser("sync", help="sync one course's roster from its LMS now")
    which = sync.add_mutually_exclusive_group(required=True)
    which.add_argument("--context", type=int, metavar="ID", help="Peerlearn's course id")
    which.add_argument("--lms-context", metavar="LTI_ID", help="the LMS's context id")
    sync.add_argument("--platform", metavar="ISS", help="the LMS's issuer (with --lms-context)")
    sync.add_argument(
        "--full", action="store_true", help="read the whole roster, not only its differences"
    )
    sync.set_defaults(handler=_sync)


def roster_sync(services: Services) -> RosterSync:
    return RosterSync(
        services.engine,
        NrpsClient(services.service_tokens, http=services.http),
        services.registrations,
    )


def group_sync(services: Services) -> GroupSync:
    nrps = NrpsClient(services.service_tokens, http=services.http)
    return GroupSync(
        services.engine,
        CourseGroupsClient(services.service_tokens, nrps, http=services.http),
        services.registrations,
        listeners=services.groups_changed,
    )


def _deliver(settings: Settings, args: argparse.Namespace) -> int:
    services = build_services(settings)
    grades = GradeWorker(
        services.engine,
        AgsClient(services.service_tokens, http=services.http),
        services.registrations,
    )
    rosters = RosterWorker(services.engine, roster_sync(services), groups=group_sync(services))

    def run_once() -> int:
        # Allocations due first: the scores and statements they queue go out in this round.
        now = datetime.now(UTC)
        # A recorder per round: it remembers what it looked up only for that round.
        recorder = Recorder(
            routes=services.xapi_routes,
            base_url=settings.base_url,
            strict=settings.is_development,
        )
        allocated = allocate_due(services.engine, now=now, recorder=recorder)
        allocated += reassign_due(services.engine, now=now, recorder=recorder)
        return allocated + grades.run_once() + rosters.run_once()

    try:
        if args.once:
            print(f"done {drain(run_once)} allocations, score publishes and roster syncs")
            return 0
        print("publishing scores and syncing rosters; stop with Ctrl-C", file=sys.stderr)
        run_until_stopped(run_once, stop_on_signals())
        return 0
    finally:
        services.close()


def _sync(settings: Settings, args: argparse.Namespace) -> int:
    services = build_services(settings)
    try:
        context_id = args.context or _context_by_lms_id(services, args.lms_context, args.platform)
        try:
            result = roster_sync(services).sync(context_id, full=args.full)
            grouped = group_sync(services).sync(context_id)
        except PeerlearnError as error:
            raise LtiCommandError(f"{error.title}: {error.detail}") from error
    finally:
        services.close()
    if result.kind == "none":
        print(f"course {context_id}: its LMS offered no roster service in any launch yet")
        return 0
    print(
        f"course {context_id}: {result.kind} sync, {result.listed} members listed, "
        f"{result.people_written} people written, {result.departed} marked Deleted"
    )
    if grouped.kind != "none":
        print(f"course {context_id}: {grouped.groups} groups, {grouped.members} group members")
    return 0


def _context_by_lms_id(services: Services, lti_id: str, issuer: str | None) -> int:
    query = (
        select(Context.id)
        .join(Deployment, Deployment.id == Context.deployment_id)
        .join(Platform, Platform.id == Deployment.platform_id)
        .where(Context.lti_id == lti_id)
    )
    if issuer:
        query = query.where(Platform.issuer == issuer)
    with services.engine.connect() as connection:
        found = list(connection.scalars(query))
    if not found:
        raise LtiCommandError(f"no course with LMS context id {lti_id!r}")
    if len(found) > 1:
        raise LtiCommandError(f"several courses have context id {lti_id!r}: add --platform ISS")
    return int(found[0])
