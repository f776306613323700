"""Moderation rules: staff transitions, flag reasons, who may flag or share, and what
the author is told."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.errors import BadRequest, Forbidden, NotFound
from lti_tool.domain.library.moderation import (
    MAX_FLAG_DETAILS,
    CommentState,
    FlagAlreadyOpen,
    FlagReason,
    Reason,
    StaffAction,
    TargetKind,
    TransitionRefused,
    Viewer,
    actions_for_comment,
    actions_for_item,
    author_message,
    check_may_flag,
    check_may_share,
    comment_transition,
    flag_outcome,
    item_transition,
    may_moderate,
    may_see_comment,
    parse_reason,
    parse_staff_note,
    read_reason,
)
from lti_tool.domain.library.permissions import CourseRelation, ItemState
from lti_tool.domain.text import has_control, one_line

AUTHOR = 7
LEARNER = Viewer(1, is_staff=False, relation=CourseRelation.SAME)
WRITER = Viewer(AUTHOR, is_staff=False, relation=CourseRelation.SAME)
STAFF = Viewer(2, is_staff=True, relation=CourseRelation.SAME)
SHARED_STAFF = Viewer(3, is_staff=True, relation=CourseRelation.SHARED)
SHARED_LEARNER = Viewer(4, is_staff=False, relation=CourseRelation.SHARED)
OUTSIDER = Viewer(5, is_staff=True, relation=CourseRelation.OTHER)

ALLOWED_ITEM = {
    (ItemState.PENDING, StaffAction.APPROVE): ItemState.PUBLISHED,
    (ItemState.PENDING, StaffAction.HIDE): ItemState.HIDDEN,
    (ItemState.PUBLISHED, StaffAction.HIDE): ItemState.HIDDEN,
    (ItemState.HIDDEN, StaffAction.RESTORE): ItemState.PUBLISHED,
}


@pytest.mark.parametrize(("state", "action"), list(itertools.product(ItemState, StaffAction)))
def test_item_transitions_are_exactly_the_allowed_ones(
    state: ItemState, action: StaffAction
) -> None:
    if action is StaffAction.DISMISS:
        assert item_transition(state, action) is state
    elif (state, action) in ALLOWED_ITEM:
        assert item_transition(state, action) is ALLOWED_ITEM[state, action]
    else:
        with pytest.raises(TransitionRefused) as refused:
            item_transition(state, action)
        assert refused.value.status == 409
        assert refused.value.code == f"item_{state.value}_not_{action.value}"


def test_drafts_are_never_moderated_and_nothing_returns_to_pending() -> None:
    assert actions_for_item(ItemState.DRAFT) == ()
    assert all(new is not ItemState.PENDING for new in ALLOWED_ITEM.values())
    assert actions_for_item(ItemState.PENDING) == (StaffAction.APPROVE, StaffAction.HIDE)
    assert actions_for_item(ItemState.HIDDEN) == (StaffAction.RESTORE,)


def test_comments_toggle_between_visible_and_hidden() -> None:
    assert comment_transition(CommentState.VISIBLE, StaffAction.HIDE) is CommentState.HIDDEN
    assert comment_transition(CommentState.HIDDEN, StaffAction.RESTORE) is CommentState.VISIBLE
    assert comment_transition(CommentState.HIDDEN, StaffAction.DISMISS) is CommentState.HIDDEN
    for state, action in [
        (CommentState.VISIBLE, StaffAction.RESTORE),
        (CommentState.HIDDEN, StaffAction.HIDE),
        (CommentState.VISIBLE, StaffAction.APPROVE),
    ]:
        with pytest.raises(TransitionRefused):
            comment_transition(state, action)
    assert actions_for_comment(CommentState.VISIBLE) == (StaffAction.HIDE,)


def test_flag_outcomes() -> None:
    assert flag_outcome(StaffAction.HIDE) == "hidden"
    assert flag_outcome(StaffAction.DISMISS) == "dismissed"
    assert flag_outcome(StaffAction.RESTORE) == "dismissed"
    assert flag_outcome(StaffAction.APPROVE) is None


def test_reasons_from_the_list_with_optional_words() -> None:
    assert parse_reason("spam", "") == Reason(FlagReason.SPAM)
    assert parse_reason(" offensive ", "  rude\n words ") == Reason(
        FlagReason.OFFENSIVE, "rude words"
    )
    assert parse_reason("other", "x").text == "other: x"
    assert parse_reason("spam", "").text == "spam"
    for category, details, code in [
        ("bogus", "", "flag_reason_unknown"),
        ("", "", "flag_reason_unknown"),
        ("other", "   ", "flag_details_missing"),
        ("spam", "y" * (MAX_FLAG_DETAILS + 1), "flag_details_too_long"),
    ]:
        with pytest.raises(BadRequest) as refused:
            parse_reason(category, details)
        assert refused.value.code == code
    assert parse_reason("spam", "y" * MAX_FLAG_DETAILS).details == "y" * MAX_FLAG_DETAILS


@given(st.sampled_from(FlagReason), st.text(max_size=MAX_FLAG_DETAILS))
def test_a_stored_reason_reads_back(category: FlagReason, details: str) -> None:
    if category is FlagReason.OTHER and not one_line(details):
        return  # "other" needs words (tested above)
    reason = parse_reason(category.value, details)
    assert read_reason(reason.text) == reason
    assert not has_control(reason.text)


def test_unknown_stored_reasons_read_as_other() -> None:
    assert read_reason("legacy text") == Reason(FlagReason.OTHER, "legacy text")


def test_staff_note_is_limited() -> None:
    assert parse_staff_note("  a \n b ") == "a b"
    with pytest.raises(BadRequest):
        parse_staff_note("n" * 501)


def test_who_sees_a_comment() -> None:
    def sees(viewer: Viewer, **changes: bool) -> bool:
        values = {"hidden": False, "deleted": False} | changes
        return may_see_comment(viewer, author_id=AUTHOR, **values)

    assert sees(LEARNER)
    assert not sees(LEARNER, hidden=True)
    assert sees(WRITER, hidden=True)
    assert sees(STAFF, hidden=True)
    assert not sees(SHARED_STAFF, hidden=True)
    assert not sees(STAFF, deleted=True)


def test_only_home_staff_moderate() -> None:
    assert may_moderate(STAFF)
    assert not any(map(may_moderate, [LEARNER, WRITER, SHARED_STAFF, OUTSIDER]))


def test_who_may_flag() -> None:
    fine = {"author_id": AUTHOR, "visible": True, "published": True, "already_flagged": False}
    check_may_flag(LEARNER, **fine)  # type: ignore[arg-type]
    check_may_flag(SHARED_LEARNER, **fine)  # type: ignore[arg-type]
    check_may_flag(LEARNER, **(fine | {"author_id": None}))  # type: ignore[arg-type]
    refusals = [
        (LEARNER, {"visible": False}, NotFound, "library_not_found"),
        (STAFF, {"published": False}, Forbidden, "flag_not_published"),
        (WRITER, {}, Forbidden, "flag_own"),
        (LEARNER, {"already_flagged": True}, FlagAlreadyOpen, "flag_already_open"),
    ]
    for viewer, changes, error, code in refusals:
        with pytest.raises(error) as refused:
            check_may_flag(viewer, **(fine | changes))  # type: ignore[arg-type]
        assert refused.value.code == code


def test_sharing_rules() -> None:
    fine = {
        "state": ItemState.PUBLISHED,
        "same_deployment": True,
        "staff_in_target": True,
        "target_is_home": False,
    }
    check_may_share(STAFF, **fine)  # type: ignore[arg-type]
    refusals = [
        (LEARNER, {}, Forbidden),
        (SHARED_STAFF, {}, Forbidden),
        (STAFF, {"state": ItemState.PENDING}, TransitionRefused),
        (STAFF, {"state": ItemState.HIDDEN}, TransitionRefused),
        (STAFF, {"target_is_home": True}, BadRequest),
        (STAFF, {"same_deployment": False}, NotFound),
        (STAFF, {"staff_in_target": False}, NotFound),
    ]
    for viewer, changes, error in refusals:
        with pytest.raises(error):
            check_may_share(viewer, **(fine | changes))  # type: ignore[arg-type]


def test_author_messages_never_quote_the_flagger() -> None:
    hidden = author_message(
        TargetKind.ITEM,
        StaffAction.HIDE,
        item_title="Pivot tables",
        reasons=(FlagReason.SPAM, FlagReason.SPAM, FlagReason.COPYRIGHT),
        note="Please cite sources.",
    )
    assert hidden == (
        "Your item “Pivot tables” was hidden by staff. Others in the course no longer see "
        "it; you and staff still do. It was reported as: Copyright infringement; Spam or "
        "advertising. Staff note: Please cite sources."
    )
    approved = author_message(TargetKind.ITEM, StaffAction.APPROVE, item_title="T")
    assert approved == "Your item “T” was approved by staff and is now published."
    restored = author_message(TargetKind.COMMENT, StaffAction.RESTORE, item_title="T")
    assert restored == "Your comment on “T” was restored by staff and is visible again."
    assert author_message(TargetKind.ITEM, StaffAction.DISMISS, item_title="T") is None
    long = author_message(TargetKind.ITEM, StaffAction.APPROVE, item_title="a" * 300)
    assert long is not None
    assert "a" * 79 + "…”" in long
    assert "a" * 80 not in long
