"""Delivery to a real Ralph LRS on loopback, and the faults it must survive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from lti_tool.learning_records.delivery import StatementWorker, WorkerSettings
from lti_tool.learning_records.records import Routes, record
from lti_tool.outbox import store as outbox
from tests.integration.xapi.conftest import (
    add_lrs,
    counts,
    enqueue,
    ids_in,
    make_statement,
    wait_for,
)
from tests.support.ralph import Ralph, faulty_proxy
from tests.support.secrets import SECRETS, SECRETS_KEYS
from xapi.delivery import equivalent

FAST = WorkerSettings(base_backoff=0.1, max_backoff=0.5, idle_sleep=0.05, timeout=(1.0, 2.0))


def drain(worker: StatementWorker, rounds: int = 50) -> None:
    for _ in range(rounds):
        if not worker.run_once():
            return


def test_statements_arrive_once_and_read_back_identical(engine: Engine, ralph: Ralph) -> None:
    statements = [make_statement(n) for n in range(250)]
    enqueue(engine, statements)
    add_lrs(engine, ralph.endpoint)
    worker = StatementWorker(engine, FAST, secrets=SECRETS)

    drain(worker)
    drain(worker)  # nothing more to send

    assert sorted(ids_in(ralph)) == sorted(s["id"] for s in statements)
    for sent in statements[:5]:
        stored = ralph.fetch(sent["id"])
        assert stored is not None
        assert equivalent(sent, stored["statements"][0])
    assert counts(engine) == {"delivered": 250}


def test_statements_are_held_without_an_lrs_then_delivered(engine: Engine, ralph: Ralph) -> None:
    enqueue(engine, [make_statement(n) for n in range(10)])
    with engine.connect() as connection:
        assert [row.destination for row in outbox.status(connection, topic="xapi")] == ["held"]
    add_lrs(engine, ralph.endpoint)
    drain(StatementWorker(engine, FAST, secrets=SECRETS))
    assert len(ids_in(ralph)) == 10


def test_lrs_stopped_mid_stream_and_restarted(engine: Engine, ralph: Ralph) -> None:
    statements = [make_statement(n) for n in range(5000)]
    enqueue(engine, statements)
    add_lrs(engine, ralph.endpoint)
    stop = threading.Event()
    worker = threading.Thread(
        target=StatementWorker(engine, FAST, secrets=SECRETS).run_forever, args=(stop,)
    )
    worker.start()
    try:
        wait_for(lambda: len(ralph.stored()) >= 1000)
        ralph.stop()
        time.sleep(2)
        ralph.start()
        wait_for(lambda: counts(engine).get("pending", 0) == 0, timeout=240)
    finally:
        stop.set()
        worker.join(timeout=30)
    ids = ids_in(ralph)
    assert len(ids) == len(set(ids)) == 5000
    assert counts(engine) == {"delivered": 5000}


def test_worker_killed_mid_batch_then_restarted(
    engine: Engine, ralph: Ralph, database_url: str, tmp_path: Path
) -> None:
    statements = [make_statement(n) for n in range(3000)]
    enqueue(engine, statements)
    add_lrs(engine, ralph.endpoint)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PEERLEARN_")},
        "PEERLEARN_DATABASE_URL": database_url,
        "PEERLEARN_INSTANCE_DIR": str(tmp_path),
        "PEERLEARN_SECRETS_KEYS": ",".join(SECRETS_KEYS),
    }
    command = [
        sys.executable,
        "-m",
        "lti_tool.cli.main",
        "xapi",
        "deliver",
        "--lease-seconds",
        "2",
        "--batch-size",
        "50",
    ]
    worker = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for(lambda: len(ralph.stored()) >= 500)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=10)
    time.sleep(2.5)  # the killed worker's lease runs out
    finished = subprocess.run(
        [*command, "--once"], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert finished.returncode == 0, finished.stderr
    ids = ids_in(ralph)
    assert len(ids) == len(set(ids)) == 3000
    assert counts(engine) == {"delivered": 3000}


def test_lrs_that_never_answers(engine: Engine, ralph: Ralph) -> None:
    with faulty_proxy(ralph.endpoint) as (proxy, endpoint):
        add_lrs(engine, endpoint)
        proxy.mode = "hang"
        # Recording a statement never talks to the LRS.
        routes = Routes(engine)
        started = time.perf_counter()
        with engine.begin() as connection:
            for n in range(20):
                record(connection, make_statement(n), platform_id=1, routes=routes, strict=True)
        assert time.perf_counter() - started < 2
        assert proxy.requests == 0
        started = time.monotonic()
        delivered = StatementWorker(engine, FAST, secrets=SECRETS).run_once()
        assert delivered == 0
        assert time.monotonic() - started < 10  # the read timeout, then it moves on
        assert counts(engine) == {"pending": 20}
        proxy.mode = "forward"
        proxy.release.set()
        worker = StatementWorker(engine, FAST, secrets=SECRETS, clock=lambda: time.time() + 10)
        drain(worker)
    assert len(ids_in(ralph)) == 20


@pytest.mark.parametrize("status", [500, 503, 429])
def test_lrs_failing_for_a_while(engine: Engine, ralph: Ralph, status: int) -> None:
    enqueue(engine, [make_statement(n) for n in range(300)])
    with faulty_proxy(ralph.endpoint) as (proxy, endpoint):
        add_lrs(engine, endpoint)
        proxy.mode = f"status:{status}"
        assert StatementWorker(engine, FAST, secrets=SECRETS).run_once() == 0
        assert counts(engine) == {"pending": 300}
        assert proxy.requests == 1  # a failing LRS is not hammered within one round
        proxy.mode = "forward"
        drain(StatementWorker(engine, FAST, secrets=SECRETS, clock=lambda: time.time() + 60))
    ids = ids_in(ralph)
    assert len(ids) == len(set(ids)) == 300


def test_one_malformed_statement_is_dead_lettered_alone(engine: Engine, ralph: Ralph) -> None:
    statements = [make_statement(n) for n in range(99)]
    enqueue(engine, statements[:50])
    malformed = {
        "id": "0d0d0d0d-0d0d-4d0d-8d0d-0d0d0d0d0d0d",
        "verb": {"id": "http://adlnet.gov/expapi/verbs/launched"},
        "object": {"id": "https://x.example/1"},
    }  # no actor: the LRS refuses it
    with engine.begin() as connection:  # slipped past validation, as a bug would
        outbox.enqueue(
            connection,
            topic="xapi",
            destinations=["held"],
            key=malformed["id"],
            payload=__import__("json").dumps(malformed),
            now=time.time(),
        )
    enqueue(engine, statements[50:])
    add_lrs(engine, ralph.endpoint)
    drain(StatementWorker(engine, FAST, secrets=SECRETS))
    assert sorted(ids_in(ralph)) == sorted(s["id"] for s in statements)
    assert counts(engine) == {"delivered": 99, "dead": 1}
    with engine.connect() as connection:
        [row] = [r for r in outbox.status(connection, topic="xapi") if r.dead]
    assert any("refused by the LRS" in reason for reason in row.dead_reasons)


def test_unauthorised_pauses_then_resumes(engine: Engine, ralph: Ralph) -> None:
    enqueue(engine, [make_statement(n) for n in range(40)])
    destination = add_lrs(engine, ralph.endpoint, password="wrong")
    worker = StatementWorker(engine, FAST, secrets=SECRETS)
    assert worker.run_once() == 0
    from lti_tool.learning_records.records import all_destinations, resume  # noqa: PLC0415

    with engine.connect() as connection:
        [paused] = all_destinations(connection)
    assert paused.paused_reason is not None
    assert "401" in paused.paused_reason
    assert worker.run_once() == 0  # paused: not even tried
    assert counts(engine) == {"pending": 40}
    with engine.begin() as connection:
        resume(connection, destination, password="lrs-test-password", secrets=SECRETS)
    drain(worker)
    assert len(ids_in(ralph)) == 40


def test_a_password_no_key_opens_pauses_its_lrs(engine: Engine, ralph: Ralph) -> None:
    """The passwords are stored encrypted (issue 12, item 10): a key removed before
    'peerlearn lrs rotate-secrets' pauses the LRS with the reason, it never crashes."""
    from lti_tool.learning_records.records import all_destinations  # noqa: PLC0415
    from lti_tool.secret_box import SecretBox  # noqa: PLC0415
    from tests.support.secrets import NEWER_KEY  # noqa: PLC0415

    enqueue(engine, [make_statement(n) for n in range(3)])
    add_lrs(engine, ralph.endpoint)
    assert StatementWorker(engine, FAST, secrets=SecretBox([NEWER_KEY])).run_once() == 0
    with engine.connect() as connection:
        [paused] = all_destinations(connection)
    assert paused.paused_reason is not None
    assert "PEERLEARN_SECRETS_KEYS" in paused.paused_reason
    assert counts(engine) == {"pending": 3}
    assert ids_in(ralph) == []


def test_conflicting_statement_in_the_lrs_is_dead_lettered(engine: Engine, ralph: Ralph) -> None:
    statements = [make_statement(n) for n in range(5)]
    import requests  # noqa: PLC0415

    from tests.support.ralph import PASSWORD, USERNAME  # noqa: PLC0415

    impostor = {**statements[2], "object": {"id": "https://elsewhere.example/x"}}
    requests.post(
        ralph.endpoint + "/statements",
        json=[impostor],
        auth=(USERNAME, PASSWORD),
        headers={"X-Experience-API-Version": "1.0.3"},
        timeout=10,
    )
    enqueue(engine, statements)
    add_lrs(engine, ralph.endpoint)
    drain(StatementWorker(engine, FAST, secrets=SECRETS))
    assert counts(engine) == {"delivered": 4, "dead": 1}


def test_each_lrs_keeps_its_own_delivery_state(
    engine: Engine, ralph: Ralph, tmp_path: Path
) -> None:
    from tests.support.ralph import running_ralph  # noqa: PLC0415

    with (
        running_ralph(tmp_path / "second") as second,
        faulty_proxy(second.endpoint) as (proxy, failing_endpoint),
    ):
        add_lrs(engine, ralph.endpoint)
        add_lrs(engine, failing_endpoint)
        enqueue(engine, [make_statement(n) for n in range(120)])
        proxy.mode = "status:503"
        drain(StatementWorker(engine, FAST, secrets=SECRETS))
        assert len(ids_in(ralph)) == 120  # the healthy LRS is not held up
        assert ids_in(second) == []
        assert counts(engine) == {"delivered": 120, "pending": 120}
        proxy.mode = "forward"
        drain(StatementWorker(engine, FAST, secrets=SECRETS, clock=lambda: time.time() + 60))
        assert len(ids_in(second)) == 120


def test_statements_held_by_a_stale_route_cache_reach_every_global_lrs(
    engine: Engine, ralph: Ralph, tmp_path: Path
) -> None:
    from tests.support.ralph import running_ralph  # noqa: PLC0415

    stale = Routes(engine)
    assert stale.for_platform(1) == []  # an app process that has seen no LRS yet
    with running_ralph(tmp_path / "second") as second:
        add_lrs(engine, ralph.endpoint)
        add_lrs(engine, second.endpoint)
        with engine.begin() as connection:
            for n in range(7):
                record(connection, make_statement(n), platform_id=1, routes=stale, strict=True)
        drain(StatementWorker(engine, FAST, secrets=SECRETS))
        assert len(ids_in(ralph)) == 7
        assert len(ids_in(second)) == 7
    assert counts(engine) == {"delivered": 14}
