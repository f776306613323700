"""What a teacher may change in a peer review activity once learners have started.

Before the first submission anything goes. After it, an edit must not take away what
learners were promised or invalidate work already done:

* wording (title, description, instructions, rubric wording) may always change;
* deadlines may move later, never earlier; the opening date is fixed once work exists;
  with balanced allocation the submission deadline is fixed once reviews were handed out;
* late submissions may be turned on, not off; submission types and file types may be
  added, not removed; the file size limit may grow, not shrink;
* anonymity may only become stricter (open < reviewer-anonymous < double-blind);
* once any review exists: the rubric's structure (criteria, keys, points, comment rules),
  the group policy, self-review and calibration are fixed, and ``k`` may only grow;
* the allocation mode and the gradebook columns (one or two) are fixed;
* grading choices (aggregation, strictness, review grade, weights, maxima, feedback
  release) may change: grades are recomputed, and the change is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lti_tool.domain.activities import SettingsInvalid
from lti_tool.domain.peer_review.settings import (
    AllocationMode,
    PeerReviewSettings,
    settings_to_dict,
)

GRADING_FIELDS = frozenset(
    {
        "aggregation",
        "strictness",
        "review_grade",
        "calibration_weight",
        "helpfulness_weight",
        "minimum_reviews",
        "submission_weight",
        "review_weight",
        "score_maximum",
        "review_score_maximum",
        "rubric",
        "self_review",
        "calibration",
    }
)
ALLOCATION_FIELDS = frozenset(
    {"reviews_per_submission", "allocation", "group_policy", "self_review", "submissions_due"}
)


@dataclass(frozen=True)
class FieldChange:
    """One changed setting, with JSON-safe values for the audit record."""

    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class SettingsChange:
    """An accepted edit: what changed, and whether the started-activity rules applied."""

    changes: tuple[FieldChange, ...]
    restricted: bool

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(change.name for change in self.changes)

    @property
    def affects_grades(self) -> bool:
        """Whether grades must be recomputed (and republished)."""
        return any(name in GRADING_FIELDS for name in self.fields)

    @property
    def affects_allocation(self) -> bool:
        return any(name in ALLOCATION_FIELDS for name in self.fields)


def diff_settings(
    old: PeerReviewSettings,
    new: PeerReviewSettings,
    *,
    has_submissions: bool,
    has_reviews: bool = True,
) -> SettingsChange:
    """The changes from ``old`` to ``new``; SettingsInvalid names each forbidden one.

    ``has_reviews`` only matters once there are submissions; it defaults to the safe
    assumption that reviewing has begun.
    """
    before, after = settings_to_dict(old), settings_to_dict(new)
    changes = tuple(
        FieldChange(name, before[name], after[name])
        for name in before
        if name != "version" and before[name] != after[name]
    )
    if has_submissions:
        errors = _forbidden(old, new, {c.name for c in changes}, has_reviews=has_reviews)
        if errors:
            raise SettingsInvalid(errors)
    return SettingsChange(changes=changes, restricted=has_submissions)


def _forbidden(
    old: PeerReviewSettings, new: PeerReviewSettings, changed: set[str], *, has_reviews: bool
) -> dict[str, str]:
    errors: dict[str, str] = {}
    started = "Learners have submitted work already, so "
    if "submissions_open" in changed:
        errors["submissions_open"] = started + "the opening date cannot change."
    if "submissions_due" in changed:
        if has_reviews and old.allocation is AllocationMode.BALANCED:
            errors["submissions_due"] = (
                "Reviews were handed out at the deadline, so it cannot move any more."
            )
        elif new.submissions_due < old.submissions_due:
            errors["submissions_due"] = started + "the deadline can only move later."
    if "reviews_due" in changed and _earlier(new.reviews_due, old.reviews_due):
        errors["reviews_due"] = started + "the review deadline can only move later."
    errors.update(_submission_locks(old, new))
    if new.anonymity.strictness < old.anonymity.strictness:
        errors["anonymity"] = "Learners were promised this anonymity; it can only get stricter."
    if "allocation" in changed:
        errors["allocation"] = started + "the way reviews are handed out cannot change."
    if "grade_lines" in changed:
        errors["grade_lines"] = started + "the gradebook columns cannot change."
    if has_reviews:
        errors.update(_review_locks(old, new, changed))
    return errors


def _submission_locks(old: PeerReviewSettings, new: PeerReviewSettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    started = "Learners have submitted work already, so "
    if old.late_submissions and not new.late_submissions:
        errors["late_submissions"] = started + "late submissions cannot be turned off."
    if not new.submission_types >= old.submission_types:
        errors["allow_text"] = started + "kinds of submission can be added, not removed."
    if not set(new.file_types) >= set(old.file_types):
        errors["file_types"] = started + "file types can be added, not removed."
    if new.max_file_bytes < old.max_file_bytes:
        errors["max_file_mb"] = started + "the largest file size cannot shrink."
    return errors


def _review_locks(
    old: PeerReviewSettings, new: PeerReviewSettings, changed: set[str]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    reviewing = "Reviewing has begun, so "
    if new.reviews_per_submission < old.reviews_per_submission:
        errors["reviews_per_submission"] = reviewing + "reviews per submission can only grow."
    if new.rubric.structure() != old.rubric.structure():
        errors["rubric"] = (
            reviewing + "only the rubric's wording can change, not its criteria, points "
            "or comment rules."
        )
    for name, label in (
        ("group_policy", "the group rule"),
        ("self_review", "self-review"),
        ("calibration", "calibration"),
        ("calibration_examples", "the number of calibration examples"),
    ):
        if name in changed:
            errors[name] = reviewing + f"{label} cannot change."
    return errors


def _earlier(new: Any, old: Any) -> bool:
    # No date means no deadline, which is later than any date.
    if new is None:
        return False
    return old is None or bool(new < old)
