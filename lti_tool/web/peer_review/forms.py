"""The forms of peer review pages, as marshmallow schemas (shape only: what the values
mean is checked by the operations and domain rules they are handed to).

Most mistakes answer 422 ``form_invalid`` (:func:`lti_tool.web.forms.load`); a few forms
keep the code their pages have always answered with (:func:`lti_tool.web.forms.load_or`).
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, post_load, pre_load, validate

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.peer_review.grade_model import GradeComponent
from lti_tool.peer_review import moderation
from lti_tool.web.forms import Form, load_or, row_id

SCORE = "score-"
COMMENT = "comment-"
GROUP = "group-"


def _blank_as_missing(data: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if not (key in names and value == "")}


class SubmissionForm(Form):
    """Work a learner hands in: Markdown text and a link (files travel apart)."""

    text = fields.String(load_default="")
    link = fields.String(load_default="")


class RubricForm(Form):
    """A rubric filled in: ``score-<criterion>`` levels and ``comment-<criterion>`` notes."""

    scores = fields.Dict(keys=fields.String(), values=fields.Float(allow_nan=True))
    comments = fields.Dict(keys=fields.String(), values=fields.String())

    @pre_load
    def by_criterion(self, data: Any, **_kwargs: Any) -> dict[str, Any]:
        scores: dict[str, str] = {}
        comments: dict[str, str] = {}
        for name, value in data.items():  # a multidict's first value, like request.form.get
            if name.startswith(SCORE) and value != "":
                scores[name.removeprefix(SCORE)] = value
            elif name.startswith(COMMENT):
                comments[name.removeprefix(COMMENT)] = value
        return {"scores": scores, "comments": comments}


def rubric_answers(data: Any = None) -> tuple[dict[str, float], dict[str, str]]:
    """The levels chosen and the comments written, by criterion key."""
    loaded = load_or(RubricForm(), BadRequest("A score must be one of the offered levels."), data)
    return loaded["scores"], loaded["comments"]


class ReviewForm(Form):
    """A reviewer saves a draft (``action`` other than ``submit``) or submits."""

    overall = fields.String(load_default="")
    action = fields.String(load_default="")

    @post_load
    def meaning(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return {"overall": data["overall"] or None, "final": data["action"] == "submit"}


class RatingForm(Form):
    """An author rates a review received (1 to 5, or not at all) and may flag it."""

    helpfulness = fields.Integer(load_default=None, allow_none=True, strict=False)
    flag_reason = fields.String(load_default="")

    @pre_load
    def blank(self, data: Any, **_kwargs: Any) -> dict[str, Any]:
        return _blank_as_missing(data, ("helpfulness",))

    @post_load
    def meaning(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return {**data, "flag_reason": data["flag_reason"].strip() or None}


RATING_REFUSED = BadRequest("Rate a review from 1 to 5.", code="rating_range")


class VolunteerForm(Form):
    """A learner offers (``offer=1``) or stops offering to review more."""

    offer = fields.String(load_default="")

    @post_load
    def meaning(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return {"offer": data["offer"] == "1"}


class RubricLibraryForm(Form):
    """Save the activity's rubric under a title, or remove a saved one (``remove=<id>``)."""

    title = fields.String(load_default="")
    remove = fields.String(load_default="")

    @post_load
    def meaning(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        raw = data["remove"]
        try:
            # An id that names no number names no rubric: removing it finds nothing.
            remove = int(raw) if raw else None
        except ValueError:
            remove = 0
        return {"title": data["title"], "remove": remove}


class GroupsForm(Form):
    """Staff put learners in groups: ``group-<user id>`` holds that learner's group."""

    chosen = fields.Dict(keys=row_id(), values=fields.String())

    @pre_load
    def by_learner(self, data: Any, **_kwargs: Any) -> dict[str, Any]:
        chosen: dict[int, str] = {}
        for name, value in data.items():
            if name.startswith(GROUP):
                try:
                    chosen[int(name.removeprefix(GROUP))] = value
                except ValueError:
                    continue  # not a learner's field: ignored like any unknown field
        return {"chosen": chosen}


class LmsGroupsForm(Form):
    """Take groups from the LMS (``use`` other than ``0``), optionally one group set."""

    use = fields.String(load_default="")
    set = fields.String(load_default="")

    @post_load
    def meaning(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return {"use": data["use"] != "0", "set_lms_id": data["set"] or None}


class ExampleForm(Form):
    """A calibration example's wording (``part`` says whether it is its assessment)."""

    part = fields.String(load_default="")
    title = fields.String(load_default="")
    text = fields.String(load_default="")
    link_url = fields.String(load_default="")
    explanation = fields.String(load_default="")

    @post_load
    def meaning(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return {**data, "link_url": data["link_url"].strip() or None}


class MoveForm(Form):
    """Move a calibration example up (``direction=up``) or down."""

    direction = fields.String(load_default="")

    @post_load
    def meaning(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        return {"up": data["direction"] == "up"}


class FlagDecisionForm(Form):
    decision = fields.Enum(moderation.Decision, by_value=True, required=True)


class OverrideForm(Form):
    learner = row_id(required=True)
    component = fields.Enum(GradeComponent, by_value=True, required=True)
    value = fields.Float(required=True, allow_nan=False)
    reason = fields.String(required=True, validate=validate.Length(min=1))


class OverrideRemovalForm(Form):
    learner = row_id(required=True)
    component = fields.Enum(GradeComponent, by_value=True, required=True)


class AddReviewerForm(Form):
    submission = row_id(required=True)
    reviewer = row_id(required=True)
    allow_group_override = fields.Boolean(load_default=False)


class SwapForm(Form):
    first = row_id(required=True)
    second = row_id(required=True)
    allow_group_override = fields.Boolean(load_default=False)


class PageArgs(Form):
    """What a page's address may say after an act sent the user back to it."""

    notice = fields.String(load_default="")
    saved = fields.String(load_default="")
    submitted = fields.String(load_default="")
    lms = fields.String(load_default=None)
