"""Running a delivery worker: rounds until there is nothing left, or until told to stop."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

log = logging.getLogger("peerlearn.workers")


def drain(run_once: Callable[[], int]) -> int:
    """Run rounds until one does nothing; returns how much was done in all."""
    total = 0
    while done := run_once():
        total += done
    return total


def run_until_stopped(
    run_once: Callable[[], int], stop: threading.Event, *, idle_sleep: float = 1.0
) -> None:
    """Run rounds until ``stop`` is set, resting when a round found nothing to do."""
    while not stop.is_set():
        try:
            done = run_once()
        except Exception:  # a worker must outlive any one bad round
            log.exception("delivery round failed")
            done = 0
        if not done:
            stop.wait(idle_sleep)


def stop_on_signals() -> threading.Event:
    """An event set by SIGTERM or SIGINT (the way services are stopped)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
