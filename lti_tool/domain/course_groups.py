"""Course groups from the LMS (1EdTech LTI Course Groups Service 1.0), as plain values.

The service lists a course's groups (``{id, name, tag?, set_ids?}``) and group sets
(``{id, name}``); who is in a group comes from the roster service filtered by group
(NRPS ``?group=<id>``). Here: reading those bodies defensively, and deciding which LMS
group each learner of a peer review activity belongs to. ``lti_tool.courses.lms_groups`` does the
HTTP and the database around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lti_tool.domain.launch import trimmed_text

GROUPS_SCOPE = "https://purl.imsglobal.org/spec/lti-gs/scope/contextgroup.readonly"
GROUPS_TYPE = "application/vnd.ims.lti-gs.v1.contextgroupcontainer+json"
GROUP_SETS_TYPE = "application/vnd.ims.lti-gs.v1.contextgroupsetcontainer+json"
NAME_LIMIT = 255


@dataclass(frozen=True)
class CourseGroup:
    """One LMS group; ``set_ids`` are the group sets it belongs to (maybe none)."""

    lms_id: str
    name: str
    set_ids: tuple[str, ...] = ()
    tag: str | None = None


@dataclass(frozen=True)
class GroupSet:
    lms_id: str
    name: str


def _identifier(value: Any) -> str | None:
    """Ids are strings in the spec; some LMSs send numbers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return trimmed_text(value)


def parse_groups(items: Iterable[Any]) -> list[CourseGroup]:
    """The groups in a page's ``groups`` list; entries without an id are skipped, a
    missing name becomes the id. ``set_id`` (a single id, as Canvas sends it) is read
    like ``set_ids``."""
    groups: dict[str, CourseGroup] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        lms_id = _identifier(item.get("id"))
        if lms_id is None:
            continue
        raw_sets = item.get("set_ids")
        if not isinstance(raw_sets, list):
            raw_sets = [item.get("set_id")]
        set_ids = tuple(dict.fromkeys(s for s in map(_identifier, raw_sets) if s is not None))
        groups[lms_id] = CourseGroup(
            lms_id=lms_id,
            name=trimmed_text(item.get("name"), NAME_LIMIT) or lms_id,
            set_ids=set_ids,
            tag=trimmed_text(item.get("tag"), NAME_LIMIT),
        )
    return list(groups.values())


def parse_group_sets(items: Iterable[Any]) -> list[GroupSet]:
    """The group sets in a page's ``sets`` list (entries without an id skipped)."""
    sets: dict[str, GroupSet] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        lms_id = _identifier(item.get("id"))
        if lms_id is not None:
            sets[lms_id] = GroupSet(lms_id, trimmed_text(item.get("name"), NAME_LIMIT) or lms_id)
    return list(sets.values())


@dataclass(frozen=True)
class StoredGroup:
    """An LMS group as stored for a course, with its members' Peerlearn ids."""

    lms_id: str
    name: str
    set_lms_id: str | None
    members: frozenset[int]


def learner_groups(groups: Iterable[StoredGroup], *, set_lms_id: str | None) -> dict[int, str]:
    """Each person's group name for a peer review activity's group policy.

    Only groups of the chosen set count (any group when ``set_lms_id`` is None). A
    person in several of them gets the first by name then id, so the choice is stable
    from one sync to the next; allocation knows one group per person.
    """
    chosen: dict[int, str] = {}
    eligible = (g for g in groups if set_lms_id is None or g.set_lms_id == set_lms_id)
    for group in sorted(eligible, key=lambda g: (g.name.casefold(), g.lms_id)):
        for person in group.members:
            chosen.setdefault(person, group.name)
    return chosen
