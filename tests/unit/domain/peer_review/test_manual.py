"""Staff's hand-made changes are checked against the allocator's own rules."""

from __future__ import annotations

from lti_tool.domain.peer_review.manual import (
    AddAllocation,
    RemoveAllocation,
    SwapReviewers,
    ViolationCode,
    apply_manual_change,
    check_manual_change,
)
from lti_tool.domain.peer_review.model import (
    Allocation,
    GroupPolicy,
    ParticipantId,
    SubmissionId,
)

SUBMISSIONS = {SubmissionId(f"s{n}"): ParticipantId(f"p{n}") for n in range(4)}
GROUPS = {ParticipantId("p0"): "a", ParticipantId("p1"): "a", ParticipantId("p2"): "b"}


def pair(reviewer: str, submission: str) -> Allocation:
    return Allocation(ParticipantId(reviewer), SubmissionId(submission))


CURRENT = [pair("p1", "s0"), pair("p2", "s1"), pair("p3", "s2")]


def codes(change: object, **options: object) -> list[ViolationCode]:
    arguments: dict[str, object] = {"submissions": SUBMISSIONS, "groups": GROUPS}
    arguments.update(options)
    found = check_manual_change(CURRENT, change, **arguments)  # type: ignore[arg-type]
    return [violation.code for violation in found]


def test_a_sound_addition_passes() -> None:
    assert codes(AddAllocation(pair("p2", "s0"))) == []


def test_self_review_duplicates_and_unknown_ids_are_refused() -> None:
    assert codes(AddAllocation(pair("p0", "s0"))) == [ViolationCode.SELF_REVIEW]
    assert codes(AddAllocation(pair("p1", "s0"))) == [ViolationCode.DUPLICATE]
    assert codes(AddAllocation(pair("p1", "s9"))) == [ViolationCode.UNKNOWN_SUBMISSION]
    assert codes(AddAllocation(pair("x", "s0")), reviewers={"p1", "p2"}) == [
        ViolationCode.UNKNOWN_REVIEWER
    ]


def test_group_policy_breaks_are_reported_and_may_be_overridden() -> None:
    [violation] = check_manual_change(
        CURRENT,
        AddAllocation(pair("p1", "s0")),
        submissions=SUBMISSIONS,
        groups=GROUPS,
        policy=GroupPolicy.AVOID_SAME_GROUP,
        completed=(),
    )[1:]
    assert violation.code is ViolationCode.GROUP_POLICY
    assert violation.overridable
    assert codes(AddAllocation(pair("p2", "s0")), policy=GroupPolicy.SAME_GROUP_ONLY) == [
        ViolationCode.GROUP_POLICY
    ]


def test_removing_needs_an_allocation_whose_review_is_not_done() -> None:
    assert codes(RemoveAllocation(pair("p2", "s0"))) == [ViolationCode.NOT_ALLOCATED]
    assert codes(RemoveAllocation(pair("p1", "s0")), completed={pair("p1", "s0")}) == [
        ViolationCode.REVIEW_COMPLETED
    ]
    assert codes(RemoveAllocation(pair("p1", "s0"))) == []


def test_a_swap_is_checked_on_both_new_pairs() -> None:
    # p3 takes s0 and p1 takes s2: fine.
    assert codes(SwapReviewers(pair("p1", "s0"), pair("p3", "s2"))) == []
    # p2 takes s0, p1 takes s1 (their own work).
    assert codes(SwapReviewers(pair("p1", "s0"), pair("p2", "s1"))) == [ViolationCode.SELF_REVIEW]
    assert codes(
        SwapReviewers(pair("p1", "s0"), pair("p3", "s2")), completed={pair("p3", "s2")}
    ) == [ViolationCode.REVIEW_COMPLETED]


def test_applying_a_change_gives_the_new_allocations() -> None:
    swapped = apply_manual_change(CURRENT, SwapReviewers(pair("p1", "s0"), pair("p2", "s1")))
    assert swapped == {pair("p2", "s0"), pair("p1", "s1"), pair("p3", "s2")}
    assert pair("p0", "s3") in apply_manual_change(CURRENT, AddAllocation(pair("p0", "s3")))
    assert pair("p1", "s0") not in apply_manual_change(CURRENT, RemoveAllocation(pair("p1", "s0")))
