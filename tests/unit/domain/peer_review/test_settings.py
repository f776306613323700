"""Peer review settings: the form, the validation matrix, storage and edit rules."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lti_tool.domain.activities import Gradebook, KindRegistry, SettingsInvalid
from lti_tool.domain.peer_review.rubric_text import parse_rubric_text
from lti_tool.domain.peer_review.settings import (
    Aggregation,
    Anonymity,
    FeedbackRelease,
    GradeLines,
    PeerReviewSettings,
    SubmissionType,
    parse_file_types,
    settings_from_dict,
    settings_to_dict,
)
from lti_tool.domain.peer_review.settings_edits import diff_settings
from lti_tool.domain.peer_review.settings_form import (
    PEER_REVIEW_KIND,
    SAMPLE_RUBRIC_TEXT,
    settings_from_values,
    settings_to_values,
)

DUE = datetime(2027, 1, 31, 17, 0, tzinfo=UTC)
FORM = {
    "title": "Essay one",
    "text": "Write an essay.",
    "submissions_due": "2027-01-31T17:00",
    "reviews_due": "2027-02-07T17:00",
    "rubric": SAMPLE_RUBRIC_TEXT,
    "allow_text": "on",
    "allow_file": "on",
    "file_types": "PDF, .docx image/png",
    "max_file_mb": "5",
    "score_maximum": "20",
}


def settings(**changes: Any) -> PeerReviewSettings:
    base = PeerReviewSettings(
        title="Essay", submissions_due=DUE, rubric=parse_rubric_text(SAMPLE_RUBRIC_TEXT)
    )
    return replace(base, **changes)


def test_the_kind_plans_an_activity_from_a_form() -> None:
    plan = PEER_REVIEW_KIND.build(FORM)
    assert plan.kind == "peer-review"
    assert plan.gradebook == Gradebook(
        score_maximum=20, label="Essay one", tag="peer-review-submission"
    )
    assert plan.submission_until == DUE
    stored = settings_from_dict(json.loads(json.dumps(plan.settings)))
    assert stored.file_types == ("pdf", "docx", "image/png")
    assert stored.max_file_bytes == 5 * 1024 * 1024
    assert stored.submission_types == {SubmissionType.TEXT, SubmissionType.FILE}
    assert stored.reviews_per_submission == 3
    assert stored.anonymity is Anonymity.DOUBLE_BLIND
    KindRegistry().register(PEER_REVIEW_KIND)  # no field name clashes with the common ones


def test_the_edit_form_shows_what_was_stored() -> None:
    stored = settings_from_dict(PEER_REVIEW_KIND.build(FORM).settings)
    assert settings_from_dict(PEER_REVIEW_KIND.build(settings_to_values(stored)).settings) == stored


def test_the_rubric_and_other_mistakes_are_reported_together() -> None:
    with pytest.raises(SettingsInvalid) as caught:
        PEER_REVIEW_KIND.build(
            {**FORM, "rubric": "Lonely\n- 1 | one\n", "reviews_due": "2027-01-01T00:00"}
        )
    assert caught.value.errors == {
        "rubric": "Line 1 ('Lonely'): A criterion needs at least 2 levels.",
        "reviews_due": "Reviews must be due after submissions are due.",
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"submission_types": frozenset()}, "allow_text", "Allow at least one"),
        ({"file_types": ("exe!",)}, "file_types", "Not a file extension"),
        ({"max_file_bytes": 10}, "max_file_mb", "1 KB"),
        ({"submissions_open": DUE}, "submissions_due", "after they open"),
        ({"reviews_due": DUE}, "reviews_due", "after submissions"),
        ({"feedback_release": FeedbackRelease.AT_DATE}, "feedback_at", "Choose when"),
        (
            {"feedback_release": FeedbackRelease.AT_DATE, "feedback_at": DUE - timedelta(1)},
            "feedback_at",
            "once submissions are due",
        ),
        (
            {
                "reviews_due": DUE + timedelta(7),
                "feedback_release": FeedbackRelease.AT_DATE,
                "feedback_at": DUE + timedelta(6),
            },
            "feedback_at",
            "once reviews are due",
        ),
        ({"submissions_due": datetime(2027, 1, 31)}, "submissions_due", "time zone"),  # noqa: DTZ001
        ({"reviews_per_submission": 0}, "reviews_per_submission", "1 to 10"),
        ({"reviews_per_submission": 11}, "reviews_per_submission", "1 to 10"),
        ({"minimum_reviews": 4}, "minimum_reviews", "between 1 and"),
        ({"calibration": True, "calibration_examples": 0}, "calibration_examples", "1 to 10"),
        ({"calibration_weight": 0.5}, "calibration_weight", "Turn calibration on"),
        ({"helpfulness_weight": 0.6}, "helpfulness_weight", "0 and 0.5"),
        ({"submission_weight": 70}, "submission_weight", "add up to 100 (now 90)"),
        ({"review_weight": -20, "submission_weight": 120}, "submission_weight", "negative"),
        ({"score_maximum": 0}, "score_maximum", "between 0.01"),
        (
            {"grade_lines": GradeLines.SEPARATE, "review_score_maximum": 0},
            "review_score_maximum",
            "between 0.01",
        ),
        ({"title": " "}, "title", "required"),
    ],
)
def test_validation_matrix(changes: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(SettingsInvalid) as caught:
        settings(**changes)
    assert message in caught.value.errors[field]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"feedback_release": FeedbackRelease.AT_DATE, "feedback_at": DUE},
        {"grade_lines": GradeLines.SEPARATE, "submission_weight": 0, "review_weight": 0},
        {"calibration": True, "calibration_weight": 0.25, "aggregation": Aggregation.MEAN},
        {"reviews_per_submission": 10, "minimum_reviews": 10},
        {"file_types": ("image/*",), "submission_types": {SubmissionType.FILE}},
    ],
)
def test_valid_combinations(changes: dict[str, Any]) -> None:
    assert settings_from_dict(settings_to_dict(settings(**changes))) == settings(**changes)


def test_file_types_are_normalised() -> None:
    assert parse_file_types(" PDF;.docx  pdf ,image/PNG ") == ("pdf", "docx", "image/png")


def test_stored_settings_are_checked() -> None:
    data = settings_to_dict(settings())
    with pytest.raises(SettingsInvalid, match="version"):
        settings_from_dict({**data, "version": 2})
    with pytest.raises(SettingsInvalid, match="damaged"):
        settings_from_dict({**data, "anonymity": "whispered"})
    with pytest.raises(SettingsInvalid, match="Reviews must be due"):
        settings_from_dict({**data, "reviews_due": "2020-01-01T00:00:00+00:00"})


def test_settings_from_values_needs_a_deadline() -> None:
    with pytest.raises(SettingsInvalid) as caught:
        settings_from_values({"title": "T"})
    assert caught.value.errors == {"submissions_due": "Submissions due is required."}


# Edit rules ---------------------------------------------------------------------------

LATER = DUE + timedelta(days=2)
REWORDED = SAMPLE_RUBRIC_TEXT.replace("Missing", "Absent")
RESTRUCTURED = SAMPLE_RUBRIC_TEXT.replace("- 4 | Strong", "- 5 | Strong")


def test_anything_may_change_before_the_first_submission() -> None:
    change = diff_settings(
        settings(),
        settings(
            submissions_due=DUE - timedelta(1), anonymity=Anonymity.OPEN, reviews_per_submission=1
        ),
        has_submissions=False,
    )
    assert change.fields == ("submissions_due", "reviews_per_submission", "anonymity")
    assert not change.restricted
    assert change.affects_allocation
    assert not change.affects_grades


@pytest.mark.parametrize(
    ("changes", "has_reviews"),
    [
        ({"title": "New", "instructions": "More help"}, True),
        ({"rubric": parse_rubric_text(REWORDED)}, True),
        ({"rubric": parse_rubric_text(RESTRUCTURED)}, False),
        ({"reviews_due": LATER + timedelta(1)}, True),
        ({"submissions_due": DUE + timedelta(1)}, False),
        ({"late_submissions": True}, True),
        ({"reviews_per_submission": 4}, True),
        ({"reviews_per_submission": 2}, False),
        ({"anonymity": Anonymity.DOUBLE_BLIND}, True),
        ({"submission_types": {SubmissionType.TEXT, SubmissionType.LINK}}, True),
        ({"aggregation": Aggregation.MEAN, "score_maximum": 50}, True),
        ({"feedback_release": FeedbackRelease.AT_DATE, "feedback_at": LATER}, True),
    ],
)
def test_allowed_after_submissions(changes: dict[str, Any], has_reviews: bool) -> None:
    old = settings(reviews_due=LATER, anonymity=Anonymity.REVIEWER_ANONYMOUS)
    new = replace(old, **changes)
    change = diff_settings(old, new, has_submissions=True, has_reviews=has_reviews)
    assert change.restricted
    assert set(change.fields) == set(changes)
    json.dumps([(c.name, c.old, c.new) for c in change.changes])  # fit for the audit record


@pytest.mark.parametrize(
    ("changes", "has_reviews", "field"),
    [
        ({"submissions_open": DUE - timedelta(5)}, False, "submissions_open"),
        ({"submissions_due": DUE - timedelta(1)}, False, "submissions_due"),
        ({"submissions_due": DUE + timedelta(1)}, True, "submissions_due"),
        ({"reviews_due": LATER - timedelta(1)}, False, "reviews_due"),
        ({"late_submissions": False}, False, "late_submissions"),
        ({"submission_types": {SubmissionType.LINK}}, False, "allow_text"),
        ({"file_types": ("pdf",)}, False, "file_types"),
        ({"max_file_bytes": 2048}, False, "max_file_mb"),
        ({"anonymity": Anonymity.OPEN}, False, "anonymity"),
        ({"allocation": "queue"}, False, "allocation"),
        ({"grade_lines": GradeLines.SEPARATE}, False, "grade_lines"),
        ({"reviews_per_submission": 2}, True, "reviews_per_submission"),
        ({"rubric": parse_rubric_text(RESTRUCTURED)}, True, "rubric"),
        ({"group_policy": "within-group"}, True, "group_policy"),
        ({"self_review": True}, True, "self_review"),
        ({"calibration": True}, True, "calibration"),
    ],
)
def test_forbidden_after_submissions(
    changes: dict[str, Any], has_reviews: bool, field: str
) -> None:
    old = settings(
        reviews_due=LATER,
        late_submissions=True,
        anonymity=Anonymity.REVIEWER_ANONYMOUS,
        file_types=("pdf", "docx"),
    )
    new = replace(old, **changes)
    with pytest.raises(SettingsInvalid) as caught:
        diff_settings(old, new, has_submissions=True, has_reviews=has_reviews)
    assert list(caught.value.errors) == [field]


def test_a_regrading_change_is_flagged() -> None:
    change = diff_settings(settings(), settings(strictness="strict"), has_submissions=True)
    assert change.fields == ("strictness",)
    assert change.affects_grades
