"""The permission matrix: every role, state and course relation."""

from __future__ import annotations

import itertools

import pytest

from lti_tool.domain.library.permissions import (
    NOTHING,
    Allowed,
    CourseRelation,
    ItemFacts,
    ItemState,
    Viewer,
    allowed,
    state_of,
)

AUTHOR, OTHER, STAFF = Viewer(1, False), Viewer(2, False), Viewer(3, True)


def facts(state: ItemState, relation: CourseRelation = CourseRelation.SAME) -> ItemFacts:
    return ItemFacts(author_id=1, state=state, relation=relation)


@pytest.mark.parametrize(
    ("viewer", "state", "view", "edit", "publish", "delete", "moderate"),
    [
        (AUTHOR, ItemState.DRAFT, True, True, True, True, False),
        (AUTHOR, ItemState.PENDING, True, True, False, True, False),
        (AUTHOR, ItemState.PUBLISHED, True, True, False, True, False),
        (AUTHOR, ItemState.HIDDEN, True, False, False, True, False),
        (AUTHOR, ItemState.DELETED, False, False, False, False, False),
        (OTHER, ItemState.DRAFT, False, False, False, False, False),
        (OTHER, ItemState.PENDING, False, False, False, False, False),
        (OTHER, ItemState.PUBLISHED, True, False, False, False, False),
        (OTHER, ItemState.HIDDEN, False, False, False, False, False),
        (STAFF, ItemState.DRAFT, True, True, True, True, True),
        (STAFF, ItemState.PENDING, True, True, False, True, True),
        (STAFF, ItemState.PUBLISHED, True, True, False, True, True),
        (STAFF, ItemState.HIDDEN, True, True, False, True, True),
        (STAFF, ItemState.DELETED, False, False, False, False, False),
    ],
)
def test_same_course(  # noqa: PLR0917 - one parameter per column of the matrix
    viewer: Viewer,
    state: ItemState,
    view: bool,
    edit: bool,
    publish: bool,
    delete: bool,
    moderate: bool,
) -> None:
    found = allowed(viewer, facts(state))
    assert (found.view, found.edit, found.publish, found.delete, found.moderate) == (
        view,
        edit,
        publish,
        delete,
        moderate,
    )
    assert found.history == (found.edit or (found.view and viewer is AUTHOR))
    assert found.interact == (state is ItemState.PUBLISHED)
    assert found.share == (viewer.is_staff and state is ItemState.PUBLISHED)


@pytest.mark.parametrize(
    ("viewer", "state"), list(itertools.product((AUTHOR, OTHER, STAFF), ItemState))
)
def test_other_courses_see_nothing_and_shared_ones_read_published_items(
    viewer: Viewer, state: ItemState
) -> None:
    assert allowed(viewer, facts(state, CourseRelation.OTHER)) == NOTHING
    shared = allowed(viewer, facts(state, CourseRelation.SHARED))
    if state is ItemState.PUBLISHED:
        assert shared == Allowed(view=True, interact=True)
    else:
        assert shared == NOTHING


def test_whatever_is_allowed_needs_view() -> None:
    for viewer, state, relation in itertools.product(
        (AUTHOR, OTHER, STAFF), ItemState, CourseRelation
    ):
        found = allowed(viewer, facts(state, relation))
        if not found.view:
            assert found == NOTHING
        assert found.anything == found.view


def test_an_item_without_author_is_nobody_s() -> None:
    orphan = ItemFacts(author_id=None, state=ItemState.DRAFT, relation=CourseRelation.SAME)
    assert allowed(Viewer(0, False), orphan) == NOTHING


def test_state_of() -> None:
    assert state_of("published", deleted=True) is ItemState.DELETED
    assert state_of("hidden", deleted=False) is ItemState.HIDDEN
