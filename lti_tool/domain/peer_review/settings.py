"""A peer review activity's settings: the form a teacher fills in, checked and stored.

:class:`PeerReviewSettings` is checked whole when it is built (every mistake at once,
as a :class:`~lti_tool.domain.activities.SettingsInvalid` naming each field), so it
cannot exist in a state the allocation and grading code would have to second-guess.
Dates are timezone-aware; only the submission deadline is required.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from lti_tool.domain.activities import SettingsInvalid
from lti_tool.domain.peer_review.rubric import Rubric

MAX_REVIEWS_PER_SUBMISSION = 10
MAX_CALIBRATION_EXAMPLES = 10
MAX_FILE_BYTES_LIMIT = 500 * 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
DEFAULT_FILE_TYPES = ("pdf", "docx", "odt", "txt", "png", "jpg")
TOTAL_WEIGHT = 100.0
SUBMISSION_TAG = "peer-review-submission"
REVIEWING_TAG = "peer-review-reviewing"

_EXTENSION = re.compile(r"[a-z0-9]{1,10}")
_MIME = re.compile(r"[a-z]+/(\*|[a-z0-9][a-z0-9.+-]{0,60})")


class SubmissionType(enum.StrEnum):
    TEXT = "text"
    FILE = "file"
    LINK = "link"


class AllocationMode(enum.StrEnum):
    BALANCED = "balanced"  # everyone at once, when submissions are due
    QUEUE = "queue"  # reviewers take the next submission as soon as they ask


class GroupPolicy(enum.StrEnum):
    NONE = "none"
    AVOID_OWN_GROUP = "avoid-own-group"
    WITHIN_GROUP = "within-group"


class Anonymity(enum.StrEnum):
    DOUBLE_BLIND = "double-blind"
    REVIEWER_ANONYMOUS = "reviewer-anonymous"
    OPEN = "open"

    @property
    def strictness(self) -> int:
        """How much is hidden; an edit may raise it, never lower it."""
        return {"open": 0, "reviewer-anonymous": 1, "double-blind": 2}[self.value]


class FeedbackRelease(enum.StrEnum):
    AT_DATE = "date"
    WHEN_REVIEWS_DONE = "reviews-done"  # as soon as a submission's reviews are all in


class Aggregation(enum.StrEnum):
    MEDIAN = "median"
    MEAN = "mean"
    ACCURACY_WEIGHTED = "accuracy-weighted"  # mean weighted by each reviewer's accuracy


class ReviewGradeMode(enum.StrEnum):
    COMPLETION = "completion"
    ACCURACY = "accuracy"


class GradeLines(enum.StrEnum):
    COMBINED = "combined"  # one gradebook column: weighted submission and review grades
    SEPARATE = "separate"  # two columns: the submission grade and the review grade


class Strictness(enum.StrEnum):
    """How strictly a review is compared with the consensus (Moodle Workshop's scale)."""

    VERY_LAX = "very-lax"
    LAX = "lax"
    FAIR = "fair"
    STRICT = "strict"
    VERY_STRICT = "very-strict"

    @property
    def factor(self) -> float:
        """Moodle's comparison factor: 9 (very lax) to 1 (very strict)."""
        return {"very-lax": 9.0, "lax": 7.0, "fair": 5.0, "strict": 3.0, "very-strict": 1.0}[
            self.value
        ]


_FLOATS = (
    "calibration_weight",
    "helpfulness_weight",
    "submission_weight",
    "review_weight",
    "score_maximum",
    "review_score_maximum",
)


@dataclass(frozen=True)
class PeerReviewSettings:
    """Every setting of a peer review activity; invalid combinations raise SettingsInvalid."""

    title: str
    submissions_due: datetime
    rubric: Rubric
    text: str = ""
    instructions: str = ""
    submission_types: frozenset[SubmissionType] = frozenset({SubmissionType.TEXT})
    file_types: tuple[str, ...] = DEFAULT_FILE_TYPES  # extensions without dot, or MIME types
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    submissions_open: datetime | None = None
    late_submissions: bool = False
    reviews_due: datetime | None = None
    feedback_release: FeedbackRelease = FeedbackRelease.WHEN_REVIEWS_DONE
    feedback_at: datetime | None = None
    reviews_per_submission: int = 3
    allocation: AllocationMode = AllocationMode.BALANCED
    group_policy: GroupPolicy = GroupPolicy.NONE
    anonymity: Anonymity = Anonymity.DOUBLE_BLIND
    self_review: bool = False
    calibration: bool = False
    calibration_examples: int = 2
    aggregation: Aggregation = Aggregation.MEDIAN
    strictness: Strictness = Strictness.FAIR
    review_grade: ReviewGradeMode = ReviewGradeMode.COMPLETION
    calibration_weight: float = 0.0  # share of the review grade taken from calibration
    helpfulness_weight: float = 0.0  # share of the review grade taken from authors' ratings
    minimum_reviews: int = 1  # fewer counted reviews than this and staff must grade
    grade_lines: GradeLines = GradeLines.COMBINED
    submission_weight: float = 80.0
    review_weight: float = 20.0
    score_maximum: float = 100.0
    review_score_maximum: float = 10.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "file_types", tuple(self.file_types))
        # Forms give whole numbers as int; stored and compared settings use floats.
        for name in _FLOATS:
            object.__setattr__(self, name, float(getattr(self, name)))
        for name, kind in _ENUMS.items():
            object.__setattr__(self, name, kind(getattr(self, name)))
        object.__setattr__(
            self, "submission_types", frozenset(SubmissionType(t) for t in self.submission_types)
        )
        errors = settings_problems(self)
        if errors:
            raise SettingsInvalid(errors)

    @property
    def accepts_files(self) -> bool:
        return SubmissionType.FILE in self.submission_types

    @property
    def needs_review_accuracy(self) -> bool:
        """Whether grading needs the consensus comparison of every review."""
        return (
            self.aggregation is Aggregation.ACCURACY_WEIGHTED
            or self.review_grade is ReviewGradeMode.ACCURACY
        )


def settings_problems(settings: PeerReviewSettings) -> dict[str, str]:
    """Every mistake in these settings, by form field name."""
    s = settings
    errors: dict[str, str] = {}
    if not s.title.strip():
        errors["title"] = "Title is required."
    if not s.submission_types:
        errors["allow_text"] = "Allow at least one kind of submission."
    bad = [item for item in s.file_types if not _file_type_ok(item)]
    if bad:
        errors["file_types"] = (
            f"Not a file extension or MIME type: {', '.join(bad)}. "
            "Write extensions like 'pdf, docx' or types like 'image/png'."
        )
    elif s.accepts_files and not s.file_types:
        errors["file_types"] = "List the file types learners may upload."
    if not 1024 <= s.max_file_bytes <= MAX_FILE_BYTES_LIMIT:
        errors["max_file_mb"] = f"Files can be 1 KB to {MAX_FILE_BYTES_LIMIT // 2**20} MB."
    errors.update(_date_problems(s))
    if not 1 <= s.reviews_per_submission <= MAX_REVIEWS_PER_SUBMISSION:
        errors["reviews_per_submission"] = (
            f"Each submission can get 1 to {MAX_REVIEWS_PER_SUBMISSION} reviews."
        )
    elif not 1 <= s.minimum_reviews <= s.reviews_per_submission:
        errors["minimum_reviews"] = (
            "The reviews a grade needs must be between 1 and the reviews per submission "
            f"({s.reviews_per_submission})."
        )
    if s.calibration and not 1 <= s.calibration_examples <= MAX_CALIBRATION_EXAMPLES:
        errors["calibration_examples"] = (
            f"Calibration needs 1 to {MAX_CALIBRATION_EXAMPLES} examples."
        )
    if not 0 <= s.calibration_weight <= 1:
        errors["calibration_weight"] = "The calibration share must be between 0 and 1."
    elif s.calibration_weight > 0 and not s.calibration:
        errors["calibration_weight"] = "Turn calibration on to count it in the review grade."
    if not 0 <= s.helpfulness_weight <= 0.5:
        errors["helpfulness_weight"] = "The helpfulness share must be between 0 and 0.5."
    errors.update(_weight_problems(s))
    return errors


def _date_problems(s: PeerReviewSettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    dates = {
        "submissions_open": s.submissions_open,
        "submissions_due": s.submissions_due,
        "reviews_due": s.reviews_due,
        "feedback_at": s.feedback_at,
    }
    for name, moment in dates.items():
        if moment is not None and moment.tzinfo is None:
            errors[name] = "A date needs a time zone."
    if errors:
        return errors
    if s.submissions_open is not None and s.submissions_open >= s.submissions_due:
        errors["submissions_due"] = "Submissions must be due after they open."
    if s.reviews_due is not None and s.reviews_due <= s.submissions_due:
        errors["reviews_due"] = "Reviews must be due after submissions are due."
    if s.feedback_release is FeedbackRelease.AT_DATE:
        # Feedback released before reviewing ends would show reviewers each other's work.
        floor = s.reviews_due or s.submissions_due
        if s.feedback_at is None:
            errors["feedback_at"] = "Choose when feedback is released."
        elif s.feedback_at < floor:
            which = "reviews" if s.reviews_due is not None else "submissions"
            errors["feedback_at"] = f"Feedback can be released once {which} are due, not before."
    return errors


def _weight_problems(s: PeerReviewSettings) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 0.01 <= s.score_maximum <= 100000:
        errors["score_maximum"] = "Points in the gradebook must be between 0.01 and 100000."
    if s.grade_lines is GradeLines.SEPARATE:
        if not 0.01 <= s.review_score_maximum <= 100000:
            errors["review_score_maximum"] = "Review points must be between 0.01 and 100000."
        return errors
    if s.submission_weight < 0 or s.review_weight < 0:
        errors["submission_weight"] = "Weights cannot be negative."
    elif abs(s.submission_weight + s.review_weight - TOTAL_WEIGHT) > 1e-6:
        total = s.submission_weight + s.review_weight
        errors["submission_weight"] = f"The two weights must add up to 100 (now {total:g})."
    return errors


def _file_type_ok(item: str) -> bool:
    return bool(_MIME.fullmatch(item) if "/" in item else _EXTENSION.fullmatch(item))


def parse_file_types(text: str) -> tuple[str, ...]:
    """'PDF, .docx image/png' as ('pdf', 'docx', 'image/png'): lowercase, no dots, no repeats."""
    items = (item.strip().lower().removeprefix(".") for item in re.split(r"[,;\s]+", text))
    return tuple(dict.fromkeys(item for item in items if item))


def review_gradebook_tag(settings: PeerReviewSettings) -> str | None:
    """The tag of the second gradebook column, when reviewing is graded on its own."""
    return REVIEWING_TAG if settings.grade_lines is GradeLines.SEPARATE else None


SETTINGS_FORMAT_VERSION = 1
_DATES = ("submissions_open", "submissions_due", "reviews_due", "feedback_at")
_ENUMS: dict[str, type[enum.StrEnum]] = {
    "feedback_release": FeedbackRelease,
    "allocation": AllocationMode,
    "group_policy": GroupPolicy,
    "anonymity": Anonymity,
    "aggregation": Aggregation,
    "strictness": Strictness,
    "review_grade": ReviewGradeMode,
    "grade_lines": GradeLines,
}


def settings_to_dict(settings: PeerReviewSettings) -> dict[str, Any]:
    """A JSON-safe, versioned form for the activity's ``settings`` column."""
    data: dict[str, Any] = {"version": SETTINGS_FORMAT_VERSION}
    for item in fields(settings):
        value = getattr(settings, item.name)
        if item.name == "rubric":
            value = settings.rubric.to_dict()
        elif item.name in _DATES:
            value = None if value is None else value.isoformat()
        elif item.name == "submission_types":
            value = sorted(kind.value for kind in value)
        elif item.name == "file_types":
            value = list(value)
        elif isinstance(value, enum.Enum):
            value = value.value
        data[item.name] = value
    return data


def settings_from_dict(data: Mapping[str, Any]) -> PeerReviewSettings:
    """The settings :func:`settings_to_dict` stored; SettingsInvalid if they are damaged."""
    if data.get("version") != SETTINGS_FORMAT_VERSION:
        raise SettingsInvalid({"version": f"Unknown settings version {data.get('version')!r}."})
    known = {item.name for item in fields(PeerReviewSettings)}
    values: dict[str, Any] = {}
    try:
        for name, value in data.items():
            if name not in known or value is None:
                continue
            if name == "rubric":
                values[name] = Rubric.from_dict(value)
            elif name in _DATES:
                values[name] = datetime.fromisoformat(value)
            elif name == "submission_types":
                values[name] = frozenset(SubmissionType(kind) for kind in value)
            elif name == "file_types":
                values[name] = tuple(str(item) for item in value)
            elif name in _ENUMS:
                values[name] = _ENUMS[name](value)
            else:
                values[name] = value
        return PeerReviewSettings(**values)
    except (TypeError, ValueError) as error:
        if isinstance(error, SettingsInvalid):
            raise
        raise SettingsInvalid({"settings": f"The stored settings are damaged ({error})."}) from None
