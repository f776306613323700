"""The balanced allocator on hand-made courses, and the requests it refuses."""

from __future__ import annotations

from collections import Counter

import pytest

from lti_tool.domain.peer_review.allocation import RelaxedConstraint, allocate_balanced
from lti_tool.domain.peer_review.model import (
    Allocation,
    GroupPolicy,
    InvalidAllocationRequest,
    ParticipantId,
    SubmissionId,
)


def course(size: int) -> dict[SubmissionId, ParticipantId]:
    return {SubmissionId(f"s{n}"): ParticipantId(f"p{n}") for n in range(size)}


def test_each_submission_gets_k_reviews_and_each_author_gives_k() -> None:
    result = allocate_balanced(course(50), None, 3, seed=7)
    assert Counter(pair.submission for pair in result.pairs) == dict.fromkeys(course(50), 3)
    assert set(result.loads.values()) == {3}
    assert not result.relaxed
    assert result.pairs == result.added


def test_with_fewer_other_submitters_than_k_everyone_reviews_everyone_else() -> None:
    result = allocate_balanced(course(3), None, 5, seed=1)
    assert len(result.pairs) == 6  # each of 3 gets the 2 others
    [relaxation] = result.relaxed
    assert relaxation.constraint is RelaxedConstraint.REVIEWS_PER_SUBMISSION
    assert set(relaxation.submissions) == set(course(3))
    assert "fewer than 5" in relaxation.reason


def test_extra_reviewers_share_the_load_evenly() -> None:
    extras = [ParticipantId(f"ta{n}") for n in range(4)]
    pool = [*course(20).values(), *extras]
    result = allocate_balanced(course(20), pool, 3, seed=3)
    assert sum(result.loads.values()) == 60
    assert result.spread <= 1
    assert all(result.loads[ta] >= 2 for ta in extras)


def test_avoiding_groups_when_one_group_is_too_big_relaxes_as_few_pairs_as_possible() -> None:
    # 6 of 8 in one group, k=2: the 6 need 12 reviews from outside, the 2 others give 4.
    groups = {ParticipantId(f"p{n}"): "big" if n < 6 else "small" for n in range(8)}
    result = allocate_balanced(
        course(8), None, 2, groups=groups, policy=GroupPolicy.AVOID_SAME_GROUP, seed=1
    )
    [relaxation] = result.relaxed
    assert relaxation.constraint is RelaxedConstraint.GROUP_POLICY
    assert len(relaxation.pairs) == 8
    assert result.spread == 0


def test_same_group_only_allocates_within_groups_and_relaxes_k_for_small_ones() -> None:
    groups = {ParticipantId(f"p{n}"): "a" if n < 5 else "b" for n in range(7)}
    result = allocate_balanced(
        course(7), None, 3, groups=groups, policy=GroupPolicy.SAME_GROUP_ONLY, seed=1
    )
    assert all(groups[pair.reviewer] == groups[ParticipantId("p" + pair.submission[1:])]
               for pair in result.pairs)  # fmt: skip
    [relaxation] = result.relaxed
    assert relaxation.submissions == (SubmissionId("s5"), SubmissionId("s6"))
    assert "group 'b'" in relaxation.reason


def test_people_without_a_group_review_each_other_under_same_group_only() -> None:
    groups = {ParticipantId("p0"): "a", ParticipantId("p1"): "a"}
    result = allocate_balanced(
        course(5), None, 1, groups=groups, policy=GroupPolicy.SAME_GROUP_ONLY, seed=2
    )
    for pair in result.pairs:
        assert (pair.reviewer in groups) == (pair.submission in {"s0", "s1"})


def test_seeds_change_the_allocation_but_not_its_shape() -> None:
    first = allocate_balanced(course(30), None, 2, seed=1)
    second = allocate_balanced(course(30), None, 2, seed=2)
    assert first.pairs != second.pairs
    assert first.loads == second.loads


def test_a_submission_already_fully_reviewed_gets_nothing_more() -> None:
    existing = [Allocation(ParticipantId("p1"), SubmissionId("s0"))]
    result = allocate_balanced(course(10), None, 1, seed=4, existing=existing)
    assert [pair for pair in result.added if pair.submission == "s0"] == []
    assert result.pairs[0] == existing[0]


def test_existing_reviews_by_someone_outside_the_pool_still_count() -> None:
    existing = [Allocation(ParticipantId("teacher"), SubmissionId("s0"))]
    result = allocate_balanced(course(6), None, 2, seed=4, existing=existing)
    assert Counter(pair.submission for pair in result.pairs)["s0"] == 2
    assert "teacher" not in result.loads


@pytest.mark.parametrize("k", [0, -1, True, 2.5])
def test_k_must_be_a_positive_whole_number(k: object) -> None:
    with pytest.raises(InvalidAllocationRequest, match="at least 1"):
        allocate_balanced(course(5), None, k, seed=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reviewers", "existing", "message"),
    [
        (["p0", "p1", "p0"], [], "listed more than once"),
        (None, [Allocation(ParticipantId("p1"), SubmissionId("nope"))], "unknown submission"),
        (None, [Allocation(ParticipantId("p1"), SubmissionId("s1"))], "own submission"),
        (None, [Allocation(ParticipantId("p1"), SubmissionId("s0"))] * 2, "twice"),
    ],
)
def test_nonsense_requests_are_refused_with_a_reason(
    reviewers: list[ParticipantId] | None, existing: list[Allocation], message: str
) -> None:
    with pytest.raises(InvalidAllocationRequest, match=message):
        allocate_balanced(course(5), reviewers, 2, seed=1, existing=existing)


def test_the_refusal_is_a_value_error() -> None:
    assert issubclass(InvalidAllocationRequest, ValueError)


def test_no_submissions_allocate_nothing() -> None:
    result = allocate_balanced({}, [ParticipantId("ta")], 3, seed=1)
    assert result.pairs == ()
    assert result.loads == {"ta": 0}
