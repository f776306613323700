"""The peer review settings form, and the activity kind a teacher picks to place one.

The web layer renders :data:`PEER_REVIEW_FIELDS` like any kind's form; ``ActivityKind``
reads each field, then :func:`settings_from_values` checks the whole and builds
:class:`~lti_tool.domain.peer_review.settings.PeerReviewSettings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lti_tool.domain.activities import (
    SCORE_MAXIMUM,
    ActivityKind,
    ActivityPlan,
    FieldType,
    FormField,
    Gradebook,
    SettingsInvalid,
)
from lti_tool.domain.peer_review.rubric import RubricInvalid
from lti_tool.domain.peer_review.rubric_text import format_rubric_text, parse_rubric_text
from lti_tool.domain.peer_review.settings import (
    DEFAULT_FILE_TYPES,
    MAX_CALIBRATION_EXAMPLES,
    MAX_REVIEWS_PER_SUBMISSION,
    SUBMISSION_TAG,
    Aggregation,
    AllocationMode,
    Anonymity,
    FeedbackRelease,
    GradeLines,
    GroupPolicy,
    PeerReviewSettings,
    ReviewGradeMode,
    Strictness,
    SubmissionType,
    parse_file_types,
    settings_to_dict,
)

RUBRIC_TEXT_LIMIT = 20000
MEGABYTE = 1024 * 1024

# The provider of this course's saved rubrics (lti_tool.peer_review.rubric_library).
SAVED_RUBRICS = "peer-review.saved-rubrics"

SAMPLE_RUBRIC_TEXT = """\
Argument [comment required]
Is the main claim clear and supported?
- 0 | Missing | No claim can be found
- 2 | Weak | A claim, little support
- 4 | Strong | Clear claim, well supported

Clarity
Can a classmate follow the text without rereading?
- 0 | Unclear | Hard to follow
- 1 | Mostly clear | A few passages need rereading
- 2 | Clear | Easy to follow throughout
"""

_SUBMISSION_CHECKBOXES = {
    "allow_text": SubmissionType.TEXT,
    "allow_file": SubmissionType.FILE,
    "allow_link": SubmissionType.LINK,
}

_ALL_FIELDS: tuple[FormField, ...] = (
    FormField("instructions", "Instructions for the submission", FieldType.TEXTAREA),
    FormField("allow_text", "Learners may write rich text", FieldType.CHECKBOX, default=True),
    FormField("allow_file", "Learners may upload a file", FieldType.CHECKBOX),
    FormField("allow_link", "Learners may submit a link", FieldType.CHECKBOX),
    FormField(
        "file_types",
        "Allowed file types",
        default=", ".join(DEFAULT_FILE_TYPES),
        help="Extensions (pdf, docx) or MIME types (image/png), separated by commas.",
        max_length=500,
    ),
    FormField(
        "max_file_mb", "Largest file (MB)", FieldType.NUMBER, default=20, minimum=0.01, maximum=500
    ),
    FormField("submissions_open", "Submissions open", FieldType.DATETIME),
    FormField("submissions_due", "Submissions due", FieldType.DATETIME, required=True),
    FormField("late_submissions", "Accept late submissions", FieldType.CHECKBOX),
    FormField("reviews_due", "Reviews due", FieldType.DATETIME),
    FormField(
        "feedback_release",
        "Release feedback",
        FieldType.CHOICE,
        default=FeedbackRelease.WHEN_REVIEWS_DONE.value,
        choices=(
            (FeedbackRelease.WHEN_REVIEWS_DONE.value, "When a submission's reviews are done"),
            (FeedbackRelease.AT_DATE.value, "At a date"),
        ),
    ),
    FormField("feedback_at", "Feedback released at", FieldType.DATETIME),
    FormField(
        "reviews_per_submission",
        "Reviews per submission",
        FieldType.INTEGER,
        default=3,
        minimum=1,
        maximum=MAX_REVIEWS_PER_SUBMISSION,
    ),
    FormField(
        "allocation",
        "Hand out submissions for review",
        FieldType.CHOICE,
        default=AllocationMode.BALANCED.value,
        choices=(
            (AllocationMode.BALANCED.value, "All at once when submissions are due"),
            (AllocationMode.QUEUE.value, "One at a time, as reviewers ask"),
        ),
    ),
    FormField(
        "group_policy",
        "Groups",
        FieldType.CHOICE,
        default=GroupPolicy.NONE.value,
        choices=(
            (GroupPolicy.NONE.value, "Ignore groups"),
            (GroupPolicy.AVOID_OWN_GROUP.value, "Reviewers come from other groups"),
            (GroupPolicy.WITHIN_GROUP.value, "Reviewers come from the author's group"),
        ),
    ),
    FormField(
        "anonymity",
        "Anonymity",
        FieldType.CHOICE,
        default=Anonymity.DOUBLE_BLIND.value,
        choices=(
            (Anonymity.DOUBLE_BLIND.value, "Nobody sees names (double-blind)"),
            (Anonymity.REVIEWER_ANONYMOUS.value, "Reviewers see authors, not the reverse"),
            (Anonymity.OPEN.value, "Everyone sees names"),
        ),
    ),
    FormField(
        "saved_rubric",
        "Start from a saved rubric",
        FieldType.CHOICE,
        course_choices=SAVED_RUBRICS,
        help=(
            "One of this course's saved rubrics. It is used when the rubric below is left "
            "empty or as first shown; a rubric you typed wins."
        ),
    ),
    FormField(
        "rubric",
        "Rubric",
        FieldType.TEXTAREA,
        required=True,
        default=SAMPLE_RUBRIC_TEXT,
        help=(
            "A criterion per block: its title (add [comment required] or [no comment]), "
            "a description, then one line per level: '- points | title | descriptor'."
        ),
        max_length=RUBRIC_TEXT_LIMIT,
    ),
    FormField("self_review", "Learners also review their own work", FieldType.CHECKBOX),
    FormField("calibration", "Practise first on examples the teacher graded", FieldType.CHECKBOX),
    FormField(
        "calibration_examples",
        "Calibration examples",
        FieldType.INTEGER,
        default=2,
        minimum=1,
        maximum=MAX_CALIBRATION_EXAMPLES,
        help=(
            "How many of your graded examples each learner assesses before reviewing; "
            "add and grade them from the activity's dashboard."
        ),
    ),
    FormField(
        "aggregation",
        "Submission grade from peers' scores",
        FieldType.CHOICE,
        default=Aggregation.MEDIAN.value,
        choices=(
            (Aggregation.MEDIAN.value, "Median of each criterion"),
            (Aggregation.MEAN.value, "Mean of each criterion"),
            (Aggregation.ACCURACY_WEIGHTED.value, "Mean weighted by reviewer accuracy"),
        ),
    ),
    FormField(
        "strictness",
        "Comparison of reviews with the consensus",
        FieldType.CHOICE,
        default=Strictness.FAIR.value,
        choices=tuple((level.value, level.value.replace("-", " ")) for level in Strictness),
    ),
    FormField(
        "review_grade",
        "Review grade",
        FieldType.CHOICE,
        default=ReviewGradeMode.COMPLETION.value,
        choices=(
            (ReviewGradeMode.COMPLETION.value, "Share of assigned reviews completed"),
            (ReviewGradeMode.ACCURACY.value, "Accuracy of the reviews"),
        ),
    ),
    FormField(
        "calibration_weight",
        "Share of calibration in the review grade",
        FieldType.NUMBER,
        default=0,
        minimum=0,
        maximum=1,
        help="0 to 1: how much of the review grade comes from matching your assessments.",
    ),
    FormField(
        "helpfulness_weight",
        "Share of authors' helpfulness ratings in the review grade",
        FieldType.NUMBER,
        default=0,
        minimum=0,
        maximum=0.5,
    ),
    FormField(
        "minimum_reviews",
        "Reviews a submission needs before peers grade it",
        FieldType.INTEGER,
        default=1,
        minimum=1,
        maximum=MAX_REVIEWS_PER_SUBMISSION,
        help="With fewer, the submission waits for staff to grade it.",
    ),
    FormField(
        "grade_lines",
        "Gradebook",
        FieldType.CHOICE,
        default=GradeLines.COMBINED.value,
        choices=(
            (GradeLines.COMBINED.value, "One column: weighted submission and review grades"),
            (GradeLines.SEPARATE.value, "Two columns: submission grade and review grade"),
        ),
    ),
    FormField("submission_weight", "Weight of the submission grade", FieldType.NUMBER, default=80),
    FormField("review_weight", "Weight of the review grade", FieldType.NUMBER, default=20),
    FormField(
        "review_score_maximum",
        "Points for reviewing (second column)",
        FieldType.NUMBER,
        default=10,
        minimum=0.01,
        maximum=100000,
    ),
)
PEER_REVIEW_FIELDS: tuple[FormField, ...] = _ALL_FIELDS
_BY_NAME = {item.name: item for item in _ALL_FIELDS}
_CHOICES = {
    "feedback_release": FeedbackRelease,
    "allocation": AllocationMode,
    "group_policy": GroupPolicy,
    "anonymity": Anonymity,
    "aggregation": Aggregation,
    "strictness": Strictness,
    "review_grade": ReviewGradeMode,
    "grade_lines": GradeLines,
}
_PLAIN = (
    "late_submissions",
    "reviews_due",
    "submissions_open",
    "feedback_at",
    "reviews_per_submission",
    "self_review",
    "calibration",
    "calibration_examples",
    "calibration_weight",
    "helpfulness_weight",
    "minimum_reviews",
    "submission_weight",
    "review_weight",
    "review_score_maximum",
)


def settings_from_values(values: Mapping[str, Any]) -> PeerReviewSettings:
    """Settings from a form's values as :func:`~lti_tool.domain.activities.read_field`
    returns them (a missing value takes the field's default); every mistake at once as
    :class:`SettingsInvalid`."""

    def value(name: str) -> Any:
        item = _BY_NAME.get(name)
        found = values.get(name)
        if item is None:
            return found
        if found is None:
            found = item.default
        return bool(found) if item.type is FieldType.CHECKBOX else found

    errors: dict[str, str] = {}
    try:
        rubric = parse_rubric_text(str(value("rubric") or ""))
    except RubricInvalid as error:
        errors["rubric"] = "\n".join(error.problems)
        # Still check everything else, so the teacher sees every mistake in one pass.
        rubric = parse_rubric_text(SAMPLE_RUBRIC_TEXT)
    due = value("submissions_due")
    if not isinstance(due, datetime):
        errors["submissions_due"] = "Submissions due is required."
        raise SettingsInvalid(errors)
    arguments: dict[str, Any] = {name: value(name) for name in _PLAIN}
    arguments.update({name: kind(value(name)) for name, kind in _CHOICES.items()})
    try:
        settings = PeerReviewSettings(
            title=str(values.get("title") or ""),
            text=str(values.get("text") or ""),
            instructions=str(value("instructions") or ""),
            submissions_due=due,
            rubric=rubric,
            submission_types=frozenset(
                kind for name, kind in _SUBMISSION_CHECKBOXES.items() if value(name)
            ),
            file_types=parse_file_types(str(value("file_types") or "")),
            max_file_bytes=round(float(value("max_file_mb")) * MEGABYTE),
            score_maximum=float(values.get("score_maximum") or SCORE_MAXIMUM.default),
            **arguments,
        )
    except SettingsInvalid as error:
        raise SettingsInvalid({**error.errors, **errors}) from None
    if errors:
        raise SettingsInvalid(errors)
    return settings


def settings_to_values(settings: PeerReviewSettings) -> dict[str, str]:
    """The form's values for these settings, to edit them (as a browser would submit)."""
    values: dict[str, str] = {
        "title": settings.title,
        "text": settings.text,
        "instructions": settings.instructions,
        "file_types": ", ".join(settings.file_types),
        "max_file_mb": f"{settings.max_file_bytes / MEGABYTE:g}",
        "rubric": format_rubric_text(settings.rubric),
        "score_maximum": f"{settings.score_maximum:g}",
        "submissions_due": settings.submissions_due.astimezone(UTC).isoformat(),
    }
    for name, kind in _SUBMISSION_CHECKBOXES.items():
        values[name] = "on" if kind in settings.submission_types else ""
    for name in (*_PLAIN, *_CHOICES):
        found = getattr(settings, name)
        if isinstance(found, datetime):
            values[name] = found.astimezone(UTC).isoformat()
        elif isinstance(found, bool):
            values[name] = "on" if found else ""
        elif found is None:
            values[name] = ""
        elif isinstance(found, float):
            values[name] = repr(found)
        else:
            values[name] = str(found)
    return values


def _check(values: Mapping[str, Any]) -> Mapping[str, str]:
    try:
        settings_from_values(values)
    except SettingsInvalid as error:
        return error.errors
    return {}


def _plan(kind: ActivityKind, values: Mapping[str, Any]) -> ActivityPlan:
    settings = settings_from_values(values)
    return ActivityPlan(
        kind=kind.key,
        title=settings.title,
        text=settings.text,
        # Title, text and points also get the activity's own columns; the copy here keeps
        # the stored settings whole for settings_from_dict.
        settings=settings_to_dict(settings),
        gradebook=Gradebook(
            score_maximum=settings.score_maximum, label=settings.title, tag=SUBMISSION_TAG
        ),
        # Learners come back after the deadline for feedback, so availability stays open.
        available_from=settings.submissions_open,
        submission_from=settings.submissions_open,
        submission_until=settings.submissions_due,
    )


PEER_REVIEW_KIND = ActivityKind(
    key="peer-review",
    title="Peer review",
    description=(
        "Learners submit work, review each other's with a rubric, and get a grade from "
        "their peers' scores and the quality of their own reviews."
    ),
    fields=PEER_REVIEW_FIELDS,
    graded=True,
    check=_check,
    plan=_plan,
)
