"""Settings-form choices that depend on the course, e.g. "start from a saved rubric".

A kind marks a CHOICE field with ``course_choices="<provider>"``; the edge asks that
provider for the course's options (:class:`CourseChoice`), and :func:`for_course` gives
the kind with those options, so the form shows them and validation accepts only them:
another course's options are never offered nor accepted. An option may *fill* other
fields: when the teacher picks it and leaves such a field empty (or at its default),
the option's value for it is used (:func:`fill_from_choices`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from lti_tool.domain.activities import ActivityKind, FieldType, FormField

NO_CHOICE_LABEL = "(none)"


@dataclass(frozen=True)
class CourseChoice:
    """One option of a course-dependent field; ``fills`` maps field names to values."""

    value: str
    label: str
    fills: Mapping[str, str] = field(default_factory=dict)


CourseOptions = Mapping[str, Sequence[CourseChoice]]  # provider name -> options


def providers_of(kind: ActivityKind) -> set[str]:
    """The providers a kind's form needs."""
    return {item.course_choices for item in kind.fields if item.course_choices}


def for_course(kind: ActivityKind, offered: CourseOptions) -> ActivityKind:
    """``kind`` whose course-dependent fields offer "(none)" and then ``offered``."""
    if not providers_of(kind):
        return kind
    fields = tuple(
        replace(
            item,
            choices=(
                ("", NO_CHOICE_LABEL),
                *((choice.value, choice.label) for choice in offered.get(item.course_choices, ())),
            ),
        )
        if item.course_choices and item.type is FieldType.CHOICE
        else item
        for item in kind.fields
    )
    return replace(kind, fields=fields)


def fill_from_choices(
    kind: ActivityKind, submitted: Mapping[str, str], offered: CourseOptions
) -> dict[str, str]:
    """``submitted`` with what each picked option fills in fields left empty or at their
    default; a value that is not on offer fills nothing (validation then refuses it)."""
    filled = dict(submitted)
    by_name = {item.name: item for item in kind.form}
    for item in kind.fields:
        if not item.course_choices:
            continue
        picked = (submitted.get(item.name) or "").strip()
        choice = next(
            (found for found in offered.get(item.course_choices, ()) if found.value == picked),
            None,
        )
        if not picked or choice is None:
            continue
        for name, value in choice.fills.items():
            target = by_name.get(name)
            if target is not None and _untouched(target, filled.get(name)):
                filled[name] = value
    return filled


def without_course_choices(kind: ActivityKind, values: Mapping[str, str]) -> dict[str, str]:
    """``values`` without the course-dependent fields: once they have filled what they
    fill, nothing refers to them (a saved rubric removed later breaks nothing)."""
    names = {item.name for item in kind.fields if item.course_choices}
    return {name: value for name, value in values.items() if name not in names}


def _untouched(target: FormField, value: str | None) -> bool:
    text = " ".join((value or "").split())
    # Browsers send a textarea's lines with CRLF: compare words, not bytes.
    return not text or (
        target.default is not None and text == " ".join(str(target.default).split())
    )
