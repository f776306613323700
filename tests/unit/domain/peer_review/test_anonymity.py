"""Who may see whose name, mode by mode: the whole matrix."""

from __future__ import annotations

import pytest

from lti_tool.domain.peer_review.anonymity import (
    Relation,
    author_sees_reviewers,
    download_name,
    may_see_name,
    reviewer_sees_author,
)
from lti_tool.domain.peer_review.settings import Anonymity

REVIEWER, AUTHOR = Relation.REVIEWER_OF_AUTHOR, Relation.AUTHOR_OF_REVIEWER


@pytest.mark.parametrize(
    ("anonymity", "relation", "allowed"),
    [
        (Anonymity.DOUBLE_BLIND, REVIEWER, False),
        (Anonymity.DOUBLE_BLIND, AUTHOR, False),
        (Anonymity.REVIEWER_ANONYMOUS, REVIEWER, True),
        (Anonymity.REVIEWER_ANONYMOUS, AUTHOR, False),
        (Anonymity.OPEN, REVIEWER, True),
        (Anonymity.OPEN, AUTHOR, True),
    ],
)
def test_learners_see_names_only_where_the_mode_allows(
    anonymity: Anonymity, relation: Relation, allowed: bool
) -> None:
    assert may_see_name(anonymity, relation) is allowed


@pytest.mark.parametrize("anonymity", list(Anonymity))
@pytest.mark.parametrize("relation", list(Relation))
def test_staff_see_everyone(anonymity: Anonymity, relation: Relation) -> None:
    assert may_see_name(anonymity, relation, staff=True)


def test_the_shorthands_follow_the_rule() -> None:
    assert [reviewer_sees_author(mode) for mode in Anonymity] == [
        may_see_name(mode, REVIEWER) for mode in Anonymity
    ]
    assert [author_sees_reviewers(mode) for mode in Anonymity] == [
        may_see_name(mode, AUTHOR) for mode in Anonymity
    ]


def test_a_mode_that_hides_more_never_shows_more() -> None:
    for relation in Relation:
        shown = [
            may_see_name(mode, relation) for mode in sorted(Anonymity, key=lambda m: m.strictness)
        ]
        assert shown == sorted(shown, reverse=True), relation


def test_download_names_are_neutral_for_everyone_but_the_author_and_staff() -> None:
    assert download_name("Grace essay.pdf", "pdf", own_or_staff=True) == "Grace essay.pdf"
    assert download_name("Grace essay.pdf", "pdf", own_or_staff=False) == "submission.pdf"
