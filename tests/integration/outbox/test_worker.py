"""The one outbox loop: claims per destination, settles what its handler says, in order."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, select

from lti_tool.outbox import store
from lti_tool.outbox.store import Claimed
from lti_tool.outbox.worker import (
    Backoff,
    Dead,
    Done,
    Later,
    OutboxLoop,
    Retry,
    Settlement,
    Verdict,
    one_at_a_time,
)
from lti_tool.persistence.db import make_engine
from lti_tool.persistence.models import OutboxMessage

NOW = 1_000_000.0


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    # The shared engine fixture replaces this one when it lands (tests/conftest.py).
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def loop(engine: Engine, *, batch: int = 50) -> OutboxLoop:
    return OutboxLoop(
        engine,
        "test",
        logging.getLogger("test"),
        "destination unavailable",
        batch=batch,
        backoff=Backoff(base=10.0, ceiling=10.0),
        clock=lambda: NOW,
    )


def enqueue(engine: Engine, keys: list[str], destination: str = "d") -> None:
    with engine.begin() as connection:
        for key in keys:
            store.enqueue(
                connection, topic="test", destinations=[destination], key=key, payload=key, now=NOW
            )


def states(engine: Engine) -> dict[str, tuple[str, float, str | None]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                OutboxMessage.message_key,
                OutboxMessage.state,
                OutboxMessage.next_attempt_at,
                OutboxMessage.last_error,
            )
        )
        return {row[0]: (row[1], row[2], row[3]) for row in rows}


def test_one_at_a_time_keeps_order_and_stops_at_the_first_later(engine: Engine) -> None:
    enqueue(engine, ["a", "b", "c", "d"])
    seen: list[str] = []

    def handle(message: Claimed) -> Verdict:
        seen.append(message.payload)
        return {"a": Done(), "b": Dead("refused")}.get(message.payload, Later("down"))

    assert loop(engine).drain("d", one_at_a_time(handle)) == 1
    assert seen == ["a", "b", "c"]  # d waits with c, never tried before it
    found = states(engine)
    assert found["a"][0] == "delivered"
    assert found["b"] == ("dead", NOW, "refused")
    for key in ("c", "d"):
        state, next_attempt, error = found[key]
        assert (state, error) == ("pending", "down")
        assert NOW + 5.0 <= next_attempt <= NOW + 10.0  # backed off together


def test_a_drain_claims_batch_after_batch_until_none_is_due(engine: Engine) -> None:
    enqueue(engine, [f"m{n}" for n in range(7)])
    batches: list[int] = []

    def handle(batch: list[Claimed]) -> Iterator[Settlement]:
        batches.append(len(batch))
        yield Settlement(delivered=[message.id for message in batch])

    assert loop(engine, batch=3).drain("d", handle) == 7
    assert batches == [3, 3, 1]
    assert loop(engine).drain("d", handle) == 0


def test_limit_is_read_before_every_claim(engine: Engine) -> None:
    enqueue(engine, [f"m{n}" for n in range(6)])
    limits = iter([4, 1, 1, 1])  # the last claim finds nothing
    batches: list[int] = []

    def handle(batch: list[Claimed]) -> Iterator[Settlement]:
        batches.append(len(batch))
        yield Settlement(delivered=[message.id for message in batch])

    assert loop(engine).drain("d", handle, limit=lambda: next(limits)) == 6
    assert batches == [4, 1, 1]


def test_a_batch_settlement_releases_retries_and_writes_more_in_one_transaction(
    engine: Engine,
) -> None:
    enqueue(engine, ["kept", "later", "dead"])
    written: list[int] = []

    def handle(batch: list[Claimed]) -> Iterator[Settlement]:
        by_key = {message.key: message for message in batch}

        def also(connection: Connection) -> None:
            written.append(1)

        yield Settlement(
            dead={by_key["dead"].id: "bad"},
            released=[by_key["kept"].id],
            retry=Retry([by_key["later"]], "busy", attempts=1, after=120.0),
            also=also,
            stop=True,
        )

    assert loop(engine).drain("d", handle) == 0
    found = states(engine)
    assert written == [1]
    assert found["dead"][0] == "dead"
    assert found["kept"] == ("pending", NOW, None)  # given back, due now
    assert found["later"] == ("pending", NOW + 120.0, "busy")  # Retry-After beats the backoff
    with engine.connect() as connection:
        attempts = dict(
            connection.execute(select(OutboxMessage.message_key, OutboxMessage.attempts)).all()
        )
    assert attempts["kept"] == 0  # a release is not an attempt


def test_destinations_do_not_share_messages(engine: Engine) -> None:
    enqueue(engine, ["x"], destination="one")
    enqueue(engine, ["y"], destination="two")
    seen: list[str] = []

    def handle(message: Claimed) -> Verdict:
        seen.append(message.payload)
        return Done()

    assert loop(engine).drain("one", one_at_a_time(handle)) == 1
    assert seen == ["x"]


def test_backoff_grows_with_attempts_within_its_ceiling() -> None:
    backoff = Backoff(base=2.0, ceiling=60.0)
    assert 2.0 <= backoff.delay(1) <= 4.0
    assert 30.0 <= backoff.delay(10) <= 60.0
    assert backoff.delay(1, retry_after=300.0) == 300.0
