"""How many peer reviews each submission has under way, kept on the submission row so
the queue's pick is one index walk."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, select, update

from lti_tool.persistence.peer_review_models import Allocation, Submission

OPEN_STATES = ("assigned", "in_progress")
UNDER_WAY_STATES = ("completed", *OPEN_STATES)


def recount(connection: Connection, submission_ids: Iterable[int]) -> None:
    """Set ``reviews_under_way`` of these submissions from their allocations: call it in
    the transaction of every change to peer allocations (exact, never incremented)."""
    ids = sorted(set(submission_ids))
    if not ids:
        return
    counted = (
        select(func.count())
        .where(
            Allocation.submission_id == Submission.id,
            Allocation.kind == "peer",
            Allocation.state.in_(UNDER_WAY_STATES),
        )
        .scalar_subquery()
    )
    connection.execute(
        update(Submission).where(Submission.id.in_(ids)).values(reviews_under_way=counted)
    )
