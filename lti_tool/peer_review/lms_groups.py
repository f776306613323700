"""A peer review activity's groups taken from the LMS's course groups.

Staff choose "use the LMS's groups" (optionally one group set) on the groups page; the
choice is kept in the activity's settings under ``lms_groups`` (outside the settings form:
an edit of the settings keeps it). Each choice, and each groups sync of the course,
rewrites the activity's ``source="lms"`` rows of ``pr_group``; rows staff set by hand
(``source="staff"``) win and are never touched here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from lti_tool.domain.course_groups import StoredGroup, learner_groups
from lti_tool.domain.errors import BadRequest
from lti_tool.persistence.models import Activity, LmsGroup, LmsGroupMember
from lti_tool.persistence.peer_review_models import ReviewGroup, Submission

CHOICE_KEY = "lms_groups"
LMS, STAFF = "lms", "staff"


@dataclass(frozen=True)
class LmsGroupChoice:
    """The activity uses the LMS's groups: those of one set, or all (``set_lms_id`` None)."""

    set_lms_id: str | None


@dataclass(frozen=True)
class OfferedSet:
    """A group set the LMS reported for the course, for the staff's choice."""

    lms_id: str | None  # None: groups in no set
    name: str
    groups: int


def choice_of(settings: Mapping[str, Any]) -> LmsGroupChoice | None:
    chosen = settings.get(CHOICE_KEY)
    if not isinstance(chosen, Mapping):
        return None
    set_id = chosen.get("set")
    return LmsGroupChoice(str(set_id) if set_id is not None else None)


def kept_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """What an edit of the settings form must carry over from the stored settings."""
    return {CHOICE_KEY: settings[CHOICE_KEY]} if CHOICE_KEY in settings else {}


def offered_sets(connection: Connection, context_id: int) -> list[OfferedSet]:
    rows = connection.execute(
        select(LmsGroup.set_lms_id, func.max(LmsGroup.set_name), func.count(LmsGroup.id))
        .where(LmsGroup.context_id == context_id)
        .group_by(LmsGroup.set_lms_id)
    ).all()
    offered = [
        OfferedSet(set_id, name or (set_id or "Groups in no set"), count)
        for set_id, name, count in rows
    ]
    return sorted(offered, key=lambda s: (s.lms_id is None, s.name.casefold()))


def sources_of(connection: Connection, activity_id: int) -> dict[int, str]:
    """Each grouped learner's group source: ``"staff"`` or ``"lms"``."""
    return dict(
        connection.execute(
            select(ReviewGroup.user_id, ReviewGroup.source).where(
                ReviewGroup.activity_id == activity_id
            )
        ).all()
    )


def use_lms_groups(
    connection: Connection, *, activity_id: int, context_id: int, set_lms_id: str | None
) -> int:
    """Take the activity's groups from the LMS from now on; returns learners placed."""
    if set_lms_id is not None and set_lms_id not in {
        s.lms_id for s in offered_sets(connection, context_id)
    }:
        raise BadRequest("Your LMS has no such group set in this course.", code="unknown_set")
    _write_choice(connection, activity_id, {"set": set_lms_id})
    return refresh(connection, activity_id=activity_id, context_id=context_id)


def stop_using_lms_groups(connection: Connection, *, activity_id: int) -> None:
    """Back to groups set by staff only: the LMS's rows go."""
    _write_choice(connection, activity_id, None)
    connection.execute(
        delete(ReviewGroup).where(ReviewGroup.activity_id == activity_id, ReviewGroup.source == LMS)
    )
    copy_groups_to_submissions(connection, activity_id)


def refresh(connection: Connection, *, activity_id: int, context_id: int) -> int:
    """Rewrite the activity's LMS rows from the stored LMS groups (no-op when the
    activity does not use them); returns learners placed from the LMS."""
    settings = connection.scalar(select(Activity.settings).where(Activity.id == activity_id))
    choice = choice_of(settings or {})
    if choice is None:
        return 0
    placed = learner_groups(stored_groups(connection, context_id), set_lms_id=choice.set_lms_id)
    connection.execute(
        delete(ReviewGroup).where(ReviewGroup.activity_id == activity_id, ReviewGroup.source == LMS)
    )
    by_staff = set(
        connection.scalars(
            select(ReviewGroup.user_id).where(ReviewGroup.activity_id == activity_id)
        )
    )
    rows = [
        {"activity_id": activity_id, "user_id": user, "group_key": name, "source": LMS}
        for user, name in sorted(placed.items())
        if user not in by_staff
    ]
    if rows:
        connection.execute(insert(ReviewGroup), rows)
    copy_groups_to_submissions(connection, activity_id)
    return len(rows)


def refresh_course(connection: Connection, context_id: int) -> None:
    """After a groups sync: every activity of the course that uses the LMS's groups."""
    for activity_id, settings in connection.execute(
        select(Activity.id, Activity.settings).where(Activity.context_id == context_id)
    ):
        if choice_of(settings or {}) is not None:
            refresh(connection, activity_id=activity_id, context_id=context_id)


def stored_groups(connection: Connection, context_id: int) -> list[StoredGroup]:
    groups = connection.execute(
        select(LmsGroup.id, LmsGroup.lms_id, LmsGroup.name, LmsGroup.set_lms_id).where(
            LmsGroup.context_id == context_id
        )
    ).all()
    members: dict[int, set[int]] = {row.id: set() for row in groups}
    for group_id, user_id in connection.execute(
        select(LmsGroupMember.group_id, LmsGroupMember.user_id)
        .join(LmsGroup, LmsGroup.id == LmsGroupMember.group_id)
        .where(LmsGroup.context_id == context_id)
    ):
        members[group_id].add(user_id)
    return [
        StoredGroup(row.lms_id, row.name, row.set_lms_id, frozenset(members[row.id]))
        for row in groups
    ]


def copy_groups_to_submissions(connection: Connection, activity_id: int) -> None:
    """Submissions carry their author's group (what allocation and the queue read)."""
    connection.execute(
        update(Submission)
        .where(Submission.activity_id == activity_id)
        .values(
            group_key=select(ReviewGroup.group_key)
            .where(
                ReviewGroup.activity_id == activity_id,
                ReviewGroup.user_id == Submission.author_id,
            )
            .scalar_subquery()
        )
    )


def _write_choice(connection: Connection, activity_id: int, value: dict[str, Any] | None) -> None:
    settings = dict(
        connection.scalar(select(Activity.settings).where(Activity.id == activity_id)) or {}
    )
    if value is None:
        settings.pop(CHOICE_KEY, None)
    else:
        settings[CHOICE_KEY] = value
    connection.execute(update(Activity).where(Activity.id == activity_id).values(settings=settings))
