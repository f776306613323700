"""Placing activities through deep linking: the teacher's selection (kept in the
ephemeral store under the launch until it is returned) and the one operation that creates
the selected activities when the selection goes back to the LMS, once per launch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from lti_tool.courses.activities import create_activities
from lti_tool.domain.activities import ActivityPlan
from lti_tool.domain.errors import BadRequest, PeerlearnError
from lti_tool.domain.ports import EphemeralStore

MAX_SELECTION = 20


class AlreadyReturned(PeerlearnError):
    code = "deep_linking_returned"
    status = 409
    title = "These activities were sent to your LMS already"
    advice = "Open your LMS's activity picker again to add more."


def _selection_key(launch_id: str) -> str:
    return f"dl-selection:{launch_id}"


def selection(store: EphemeralStore, launch_id: str) -> list[dict[str, Any]]:
    """The activities picked so far in this launch's picker (kind and form values)."""
    found = store.get(_selection_key(launch_id))
    return list(found) if isinstance(found, list) else []


def add_to_selection(
    store: EphemeralStore, launch_id: str, item: dict[str, Any], *, ttl_seconds: int
) -> None:
    """One more activity picked (at most :data:`MAX_SELECTION`)."""
    picked = selection(store, launch_id)
    if len(picked) >= MAX_SELECTION:
        raise BadRequest(f"At most {MAX_SELECTION} activities can be added at once.")
    picked.append(item)
    store.put(_selection_key(launch_id), picked, ttl_seconds)


def clear_selection(store: EphemeralStore, launch_id: str) -> None:
    store.pop(_selection_key(launch_id))


def place_activities(
    engine: Engine,
    store: EphemeralStore,
    *,
    launch_id: str,
    context_id: int | None,
    created_by: int,
    plans: Sequence[ActivityPlan],
    ttl_seconds: int,
) -> list[str]:
    """Create the planned activities (their keys, for the content items), once per
    launch: a reload or a double click must not create them twice."""
    done_key = f"dl-returned:{launch_id}"
    if not store.add_once(done_key, 1, ttl_seconds):
        raise AlreadyReturned("This selection was returned to your LMS already.")
    try:
        with engine.begin() as connection:
            keys = (
                create_activities(
                    connection, context_id=context_id, created_by=created_by, plans=plans
                )
                if plans and context_id is not None
                else []
            )
    except Exception:
        store.pop(done_key)  # nothing was created: let the teacher try again
        raise
    clear_selection(store, launch_id)
    return keys
