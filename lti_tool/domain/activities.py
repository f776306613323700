"""Kinds of Peerlearn activity, and how a teacher's settings form becomes an activity.

A kind declares its title, its settings form (a tuple of :class:`FormField`) and how a
valid form becomes an :class:`ActivityPlan`: what the deep-linking response tells the
LMS (title, text, gradebook column) and what Peerlearn stores. The peer review and
content library features each register their kinds in one :class:`KindRegistry`; the
web layer renders any kind's form from its fields, so adding a kind needs no template.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

TITLE_LIMIT = 255
TEXT_LIMIT = 4000


class FieldType(enum.StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    NUMBER = "number"
    CHOICE = "choice"
    CHECKBOX = "checkbox"
    DATETIME = "datetime"


@dataclass(frozen=True)
class FormField:
    """One setting of a kind; ``default`` is shown in a fresh form."""

    name: str
    label: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    default: Any = None
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    minimum: float | None = None
    maximum: float | None = None
    max_length: int = TEXT_LIMIT
    # A CHOICE whose options depend on the course: the name of the provider that lists
    # them (see lti_tool.domain.course_choices); ``choices`` is then filled per course.
    course_choices: str = ""


class SettingsInvalid(ValueError):
    """A settings form with mistakes; ``errors`` maps each field name to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Gradebook:
    """The gradebook column an LMS creates for a graded activity (an AGS line item)."""

    score_maximum: float
    label: str
    tag: str


@dataclass(frozen=True)
class ActivityPlan:
    """What a valid settings form creates."""

    kind: str
    title: str
    text: str
    settings: Mapping[str, Any]
    gradebook: Gradebook | None = None
    available_from: datetime | None = None
    available_until: datetime | None = None
    submission_from: datetime | None = None
    submission_until: datetime | None = None


# Every kind's form starts with these, so each placement has a name and a description.
COMMON_FIELDS = (
    FormField("title", "Title", required=True, max_length=TITLE_LIMIT),
    FormField("text", "Description shown in the course", FieldType.TEXTAREA),
)
SCORE_MAXIMUM = FormField(
    "score_maximum",
    "Points in the gradebook",
    FieldType.NUMBER,
    required=True,
    default=100,
    minimum=0.01,
    maximum=100000,
)


def _default_plan(kind: ActivityKind, values: Mapping[str, Any]) -> ActivityPlan:
    # Title, text and points have columns (and travel to the LMS); the rest is the kind's.
    settings = {
        name: value
        for name, value in values.items()
        if name not in {"title", "text", SCORE_MAXIMUM.name}
    }
    gradebook = None
    if kind.graded:
        gradebook = Gradebook(
            score_maximum=float(values["score_maximum"]), label=values["title"], tag=kind.key
        )
    return ActivityPlan(
        kind=kind.key,
        title=values["title"],
        text=values.get("text") or "",
        settings=settings,
        gradebook=gradebook,
    )


@dataclass(frozen=True)
class ActivityKind:
    """A kind of activity a teacher can place. ``plan`` turns checked values into a plan;
    ``check`` adds rules across fields (e.g. a due date after an opening date)."""

    key: str
    title: str
    description: str
    fields: tuple[FormField, ...] = ()
    graded: bool = False
    plan: Callable[[ActivityKind, Mapping[str, Any]], ActivityPlan] = _default_plan
    check: Callable[[Mapping[str, Any]], Mapping[str, str]] | None = None

    @property
    def form(self) -> tuple[FormField, ...]:
        """Every field of the settings form, common ones first."""
        return COMMON_FIELDS + self.fields + ((SCORE_MAXIMUM,) if self.graded else ())

    def defaults(self) -> dict[str, Any]:
        return {item.name: item.default for item in self.form if item.default is not None}

    def build(self, submitted: Mapping[str, str]) -> ActivityPlan:
        """Check a submitted form and plan the activity; raises :class:`SettingsInvalid`."""
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for item in self.form:
            try:
                values[item.name] = read_field(item, submitted.get(item.name))
            except ValueError as error:
                errors[item.name] = str(error)
        if not errors and self.check is not None:
            errors.update(self.check(values))
        if errors:
            raise SettingsInvalid(errors)
        return self.plan(self, values)


def read_field(item: FormField, raw: str | None) -> Any:
    """One submitted value, converted and checked; a ValueError says what is wrong."""
    text = (raw or "").strip()
    if item.type is FieldType.CHECKBOX:
        return text in {"on", "1", "true", "yes"}
    if not text:
        if item.required:
            raise ValueError(f"{item.label} is required.")
        return None
    if item.type in {FieldType.TEXT, FieldType.TEXTAREA}:
        if len(text) > item.max_length:
            raise ValueError(f"{item.label} can have at most {item.max_length} characters.")
        return text if item.type is FieldType.TEXTAREA else " ".join(text.split())
    if item.type is FieldType.CHOICE:
        if text not in {value for value, _label in item.choices}:
            raise ValueError(f"Choose one of the offered values for {item.label}.")
        return text
    if item.type is FieldType.DATETIME:
        return _read_datetime(item, text)
    return _read_number(item, text)


def _read_number(item: FormField, text: str) -> float | int:
    try:
        number: float | int = int(text) if item.type is FieldType.INTEGER else float(text)
    except ValueError:
        kind = "a whole number" if item.type is FieldType.INTEGER else "a number"
        raise ValueError(f"{item.label} must be {kind}.") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise ValueError(f"{item.label} must be a finite number.")
    if item.minimum is not None and number < item.minimum:
        raise ValueError(f"{item.label} must be at least {item.minimum:g}.")
    if item.maximum is not None and number > item.maximum:
        raise ValueError(f"{item.label} must be at most {item.maximum:g}.")
    return number


def _read_datetime(item: FormField, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{item.label} must be a date and time.") from None
    # A form's <input type=datetime-local> has no zone; teachers' times are read as UTC
    # until courses carry a time zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class UnknownKind(KeyError):
    pass


@dataclass
class KindRegistry:
    """The kinds on offer, in the order the picker shows them."""

    _kinds: dict[str, ActivityKind] = field(default_factory=dict)

    def register(self, kind: ActivityKind) -> ActivityKind:
        if kind.key in self._kinds:
            raise ValueError(f"activity kind {kind.key!r} is registered already")
        names = [item.name for item in kind.form]
        if len(names) != len(set(names)):
            raise ValueError(f"activity kind {kind.key!r} repeats a field name")
        self._kinds[kind.key] = kind
        return kind

    def get(self, key: str) -> ActivityKind:
        try:
            return self._kinds[key]
        except KeyError:
            raise UnknownKind(key) from None

    def all(self) -> list[ActivityKind]:
        return list(self._kinds.values())

    def __contains__(self, key: object) -> bool:
        return key in self._kinds


COURSE_HOME = ActivityKind(
    key="course-home",
    title="Peerlearn course page",
    description=(
        "A link to Peerlearn's page for this course: people see what Peerlearn offers "
        "here and their profile. Not graded."
    ),
)


def default_kinds() -> KindRegistry:
    """The kinds Peerlearn offers out of the box."""
    registry = KindRegistry()
    registry.register(COURSE_HOME)
    return registry
