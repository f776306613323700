"""An outbox on SQLite or PostgreSQL, statements to fill it, and a real Ralph LRS."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, select

from lti_tool.learning_records import records as learning_records
from lti_tool.learning_records.records import Routes
from lti_tool.outbox import store as outbox
from lti_tool.persistence.models import OutboxMessage
from tests.support.ralph import PASSWORD, USERNAME, Ralph
from tests.support.secrets import SECRETS
from tests.support.statements import sample_statement


def make_statement(number: int) -> dict[str, Any]:
    return sample_statement(number)


def add_lrs(
    engine: Engine, endpoint: str, *, password: str = PASSWORD, batch_size: int = 100
) -> int:
    with engine.begin() as connection:
        return learning_records.add_destination(
            connection,
            endpoint=endpoint,
            username=USERNAME,
            password=password,
            platform_id=None,
            secrets=SECRETS,
            batch_size=batch_size,
        )


def enqueue(engine: Engine, statements: list[dict[str, Any]]) -> None:
    routes = Routes(engine)
    with engine.begin() as connection:
        for statement in statements:
            learning_records.record(
                connection, statement, platform_id=1, routes=routes, strict=True
            )


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        ).all()
    return dict(rows)


def wait_for(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def ids_in(ralph: Ralph) -> list[str]:
    return [statement["id"] for statement in ralph.stored()]


__all__ = ["add_lrs", "counts", "enqueue", "ids_in", "make_statement", "outbox", "wait_for"]
