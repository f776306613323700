"""LTI Advantage services: a 5,000-member roster sync and 5,000 score publishes against
lti1p3platform, timed, with the token requests the LMS received.

One demo LMS (lti1p3platform signs and checks every access token) with --members people
and one Peerlearn (serving the key set the LMS checks client assertions against) run on
loopback. Token requests are counted at the LMS's token endpoint.

Roster (NRPS, pages of --page-size members through ``Link: rel="next"``):

* Peerlearn: ``RosterSync`` full sync into an empty course (every person new), again
  (steady state: everyone stored), then a differences sync after --changes changes.
* Baseline: pylti1p3's ``NamesRolesProvisioningService.get_members()`` with a new
  ``ServiceConnector`` per sync (as a pylti1p3 tool gets it from each ``MessageLaunch``),
  members stored the straightforward ORM way: per member, look up the person and the
  membership, insert or update, commit.

Scores (AGS, one score per member on one line item):

* Peerlearn: ``record_score`` per score, each in its own transaction as from the request
  that produced it, then ``GradeWorker`` drains the outbox to the LMS.
* Baseline 1: pylti1p3 ``AssignmentsGradesService.put_grade`` with a new
  ``ServiceConnector`` per score: how a pylti1p3 tool publishes a grade from the request
  that produced it (``message_launch.get_ags()``); one token request per score. Each
  costs about 0.1 s here, so only --per-score-tokens (500) scores are sent; compare rates.
* Baseline 2: pylti1p3 with one ``ServiceConnector`` for every score: the HTTP cost alone,
  but its token is cached in the process for ever, past its expiry, and a score that
  fails is lost.

Target: one token request per scope set per token lifetime (Peerlearn's rows show 1).

    python benchmarks/lti_services.py [--members 5000] [--page-size 100] [--scores 5000]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from pylti1p3.assignments_grades import AssignmentsGradesService  # noqa: E402
from pylti1p3.grade import Grade  # noqa: E402
from pylti1p3.names_roles import NamesRolesProvisioningService  # noqa: E402
from pylti1p3.registration import Registration  # noqa: E402
from pylti1p3.service_connector import ServiceConnector  # noqa: E402
from sqlalchemy import Engine, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from config import Environment, Settings  # noqa: E402
from lti_tool import create_app  # noqa: E402
from lti_tool.courses.grade_passback import GradeWorker, record_score  # noqa: E402
from lti_tool.courses.roster import RosterSync  # noqa: E402
from lti_tool.demo.platform import LEARNER, DemoPlatform, Person  # noqa: E402
from lti_tool.demo.web import register_platform  # noqa: E402
from lti_tool.domain.roles import course_role  # noqa: E402
from lti_tool.keys import KeyRing  # noqa: E402
from lti_tool.lti.ags import SCORE_SCOPE, AgsClient  # noqa: E402
from lti_tool.lti.nrps import NrpsClient  # noqa: E402
from lti_tool.outbox.runner import drain  # noqa: E402
from lti_tool.persistence.migrate import upgrade  # noqa: E402
from lti_tool.persistence.models import Context, Deployment, Membership, User  # noqa: E402
from lti_tool.services import Services  # noqa: E402
from tests.support.servers import Lms, free_port, running_lms, serving  # noqa: E402


@dataclass(frozen=True)
class Row:
    operation: str
    implementation: str
    seconds: float
    count: int
    tokens: int

    @property
    def rate(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


def people(count: int) -> tuple[Person, ...]:
    return tuple(
        Person(f"member-{n:05d}", f"Member {n}", (LEARNER,), f"m{n}@example.edu", "Member", str(n))
        for n in range(count)
    )


@contextmanager
def world(work: Path, members: int) -> Iterator[tuple[Services, Lms, int]]:
    """A Peerlearn (serving its key set) and an LMS with ``members`` people."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    url = f"sqlite:///{work / 'peerlearn.sqlite3'}"
    upgrade(url)
    settings = Settings(
        env=Environment.DEVELOPMENT,
        database_url=url,
        secret_key="benchmark-secret-" + "x" * 32,
        base_url=base,
        keys_dir=work / "keys",
        instance_dir=work / "instance",
    )
    KeyRing(settings.keys_dir).generate()
    app = create_app(settings)
    services: Services = app.extensions["peerlearn"]
    with (
        serving(app, "127.0.0.1", port),
        running_lms(tool_base_url=base, key_dir=work, people=people(members)) as lms,
    ):
        platform_id = register_platform(services.sessions, lms.platform)
        yield services, lms, platform_id
    services.close()


def tokens(platform: DemoPlatform) -> int:
    return sum(platform.token_requests.values())


def timed(platform: DemoPlatform, action: Callable[[], int]) -> tuple[float, int, int]:
    """Seconds, what ``action`` counted, and the token requests it caused."""
    before = tokens(platform)
    started = time.perf_counter()
    count = action()
    return time.perf_counter() - started, count, tokens(platform) - before


def new_course(engine: Engine, platform_id: int, lti_id: str, memberships_url: str) -> int:
    with Session(engine) as session, session.begin():
        deployment = session.scalars(
            select(Deployment.id).where(Deployment.platform_id == platform_id)
        ).first()
        context = Context(
            deployment_id=deployment, lti_id=lti_id, title=lti_id, memberships_url=memberships_url
        )
        session.add(context)
        session.flush()
        return context.id


def pylti_registration(services: Services, lms: DemoPlatform) -> Registration:
    key = services.key_ring.signing_key()

    class _Registration(Registration):  # type: ignore[misc]
        def get_kid(self) -> str:
            return key.kid

    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    registration = _Registration()
    registration.set_issuer(lms.issuer).set_client_id(lms.client_id)
    registration.set_auth_token_url(lms.issuer + "/token").set_tool_private_key(pem)
    return registration


def naive_store(engine: Engine, platform_id: int, context_id: int, members: list[Any]) -> int:
    """One transaction per member, each looking up before inserting or updating."""
    for member in members:
        with Session(engine) as session, session.begin():
            user = session.scalars(
                select(User).where(User.platform_id == platform_id, User.sub == member["user_id"])
            ).one_or_none()
            if user is None:
                user = User(platform_id=platform_id, sub=member["user_id"])
                session.add(user)
            for field in ("name", "given_name", "family_name", "email"):
                if member.get(field):
                    setattr(user, field, member[field])
            session.flush()
            membership = session.scalars(
                select(Membership).where(
                    Membership.user_id == user.id, Membership.context_id == context_id
                )
            ).one_or_none()
            if membership is None:
                membership = Membership(user_id=user.id, context_id=context_id)
                session.add(membership)
            membership.lti_roles = list(member.get("roles", []))
            membership.course_role = course_role(membership.lti_roles).value
            membership.status = member.get("status", "Active")
            membership.roster_seen_at = datetime.now(UTC)
    return len(members)


def roster_rows(
    services: Services, lms: Lms, platform_id: int, args: argparse.Namespace
) -> list[Row]:
    platform = lms.platform
    url = f"{platform.memberships_url}?limit={args.page_size}"
    ours = RosterSync(
        services.engine,
        NrpsClient(services.service_tokens, http=services.http),
        services.registrations,
    )
    course = new_course(services.engine, platform_id, "course-peerlearn", url)
    rows = []
    for label, full in (("full, empty course", True), ("full, all stored", True)):
        seconds, count, used = timed(
            platform, lambda full=full: ours.sync(course, full=full).listed
        )
        rows.append(Row(f"roster sync ({label})", "peerlearn", seconds, count, used))
    for n in range(args.changes):
        platform.set_status(f"member-{n:05d}", "Inactive")
    seconds, count, used = timed(platform, lambda: ours.sync(course).listed)
    rows.append(
        Row(f"roster sync (differences, {args.changes} changed)", "peerlearn", seconds, count, used)
    )

    registration = pylti_registration(services, platform)
    baseline = new_course(services.engine, platform_id, "course-baseline", url)
    for label in ("full, empty course", "full, all stored"):

        def naive() -> int:
            nrps = NamesRolesProvisioningService(
                ServiceConnector(registration), {"context_memberships_url": url}
            )
            return naive_store(services.engine, platform_id, baseline, nrps.get_members())

        seconds, count, used = timed(platform, naive)
        rows.append(Row(f"roster sync ({label})", "pylti1p3 + ORM", seconds, count, used))
    return rows


def score(user: str, at: datetime) -> dict[str, Any]:
    return {
        "userId": user,
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": at.isoformat(),
    }


def score_rows(
    services: Services, lms: Lms, platform_id: int, args: argparse.Namespace
) -> list[Row]:
    platform = lms.platform
    registration = services.registrations.find(platform.issuer, platform.client_id)
    assert registration is not None
    ags = AgsClient(services.service_tokens, http=services.http)
    users = [f"member-{n:05d}" for n in range(args.scores)]
    at = datetime.now(UTC)
    rows = []

    item = ags.create(registration, platform.gradebook.base_url, {"scoreMaximum": 10, "label": "A"})
    started = time.perf_counter()
    for user in users:
        with services.engine.begin() as connection:
            record_score(
                connection, platform_id=platform_id, lineitem_url=item["id"], score=score(user, at)
            )
    enqueue = time.perf_counter() - started
    rows.append(Row("score: record in a transaction", "peerlearn", enqueue, len(users), 0))
    worker = GradeWorker(services.engine, ags, services.registrations, batch=200)
    seconds, count, used = timed(platform, lambda: drain(worker.run_once))
    rows.append(Row("score publish (outbox + worker)", "peerlearn", seconds, count, used))

    pylti = pylti_registration(services, platform)
    scopes = {"scope": [SCORE_SCOPE], "lineitem": ""}

    def put(service: AssignmentsGradesService, user: str) -> None:
        grade = (
            Grade()
            .set_score_given(7)
            .set_score_maximum(10)
            .set_timestamp(at.isoformat())
            .set_activity_progress("Completed")
            .set_grading_progress("FullyGraded")
            .set_user_id(user)
        )
        service.put_grade(grade)

    baselines = (
        ("connector per score", False, users[: args.per_score_tokens]),
        ("one connector", True, users),
    )
    for label, shared, chosen in baselines:
        line = ags.create(
            registration, platform.gradebook.base_url, {"scoreMaximum": 10, "label": label}
        )
        data = {**scopes, "lineitem": line["id"]}

        def publish(
            *, share: bool = shared, data: dict[str, Any] = data, to: list[str] = chosen
        ) -> int:
            connector = ServiceConnector(pylti)
            for user in to:
                put(
                    AssignmentsGradesService(connector if share else ServiceConnector(pylti), data),
                    user,
                )
            return len(to)

        seconds, count, used = timed(platform, publish)
        rows.append(Row(f"score publish ({label})", "pylti1p3", seconds, count, used))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--changes", type=int, default=50, help="roster changes before differences")
    parser.add_argument("--scores", type=int, default=5000)
    parser.add_argument(
        "--per-score-tokens",
        type=int,
        default=500,
        help="scores the token-per-score baseline publishes (each costs a token request)",
    )
    args = parser.parse_args()
    args.scores = min(args.scores, args.members)
    args.per_score_tokens = min(args.per_score_tokens, args.scores)
    work = Path(tempfile.mkdtemp(prefix="peerlearn-bench-"))
    try:
        with world(work, args.members) as (services, lms, platform_id):
            rows = roster_rows(services, lms, platform_id, args)
            rows += score_rows(services, lms, platform_id, args)
            by_scope = dict(lms.platform.token_requests)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(rows, args)
    print("\nToken requests at the LMS by scope set, whole run:")
    for scope, count in sorted(by_scope.items()):
        short = " ".join(part.rsplit("/", 1)[-1] for part in scope.split())
        print(f"  {count:>6}  {short}")
    return 0


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    header = (
        f"{'operation':<42} {'implementation':<16} {'seconds':>8} {'items':>6} "
        f"{'items/s':>9} {'tokens':>7}"
    )
    print(
        f"{args.members} members, pages of {args.page_size}, SQLite, lti1p3platform on loopback\n"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.operation:<42} {row.implementation:<16} {row.seconds:>8.2f} {row.count:>6} "
            f"{row.rate:>9.0f} {row.tokens:>7}"
        )
    print(
        "\nTarget: one token request per scope set per token lifetime. Baselines: pylti1p3"
        " 2.0.0 (NRPS get_members + per-member ORM writes; put_grade per score)."
    )


if __name__ == "__main__":
    sys.exit(main())
