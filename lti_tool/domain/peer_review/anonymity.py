"""Who may see whose name in a peer review activity, by anonymity mode.

- double-blind: neither side sees the other; learners meet only labels ("Submission A",
  "Review 2").
- reviewer-anonymous: a reviewer sees the name of the author whose work they review; an
  author never learns who reviewed them.
- open: both see names (reviewers the author's, authors their reviewers').

Staff always see everyone. Download file names stay neutral in every mode (an uploaded
file's name is the author's choice and may say more than their display name), and xAPI
statements name only their own actor, whatever the mode.
"""

from __future__ import annotations

import enum

from lti_tool.domain.peer_review.settings import Anonymity


class Relation(enum.Enum):
    """How the viewer stands to the person whose name is in question."""

    REVIEWER_OF_AUTHOR = "reviewer-of-author"  # the viewer reviews this person's work
    AUTHOR_OF_REVIEWER = "author-of-reviewer"  # this person reviewed the viewer's work


def may_see_name(anonymity: Anonymity, relation: Relation, *, staff: bool = False) -> bool:
    """Whether the viewer may see the other person's display name."""
    if staff:
        return True
    if relation is Relation.REVIEWER_OF_AUTHOR:
        return anonymity in {Anonymity.REVIEWER_ANONYMOUS, Anonymity.OPEN}
    return anonymity is Anonymity.OPEN


def reviewer_sees_author(anonymity: Anonymity) -> bool:
    return may_see_name(anonymity, Relation.REVIEWER_OF_AUTHOR)


def author_sees_reviewers(anonymity: Anonymity) -> bool:
    return may_see_name(anonymity, Relation.AUTHOR_OF_REVIEWER)


def download_name(original: str, extension: str, *, own_or_staff: bool) -> str:
    """The file name a download is offered under: the uploader's own name for the author
    and staff, a neutral one for everyone else, in every mode (open included)."""
    return original if own_or_staff else f"submission.{extension}"
