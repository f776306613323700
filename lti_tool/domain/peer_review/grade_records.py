"""A learner's computed grade as a plain JSON document, and back.

Grades are computed once for the whole cohort when results are released (and whenever
staff change something they depend on) and stored, so learner pages read one record
instead of recomputing everyone's grade on every view. The document holds only JSON
types (no tuples, enums or datetimes), so it survives any JSON column unchanged, and
:func:`grade_from_record` rebuilds an equal :class:`LearnerGrade`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from lti_tool.domain.grading import ActivityProgress, GradingProgress
from lti_tool.domain.peer_review.grade_model import ComponentGrade, Override
from lti_tool.domain.peer_review.grades import (
    CriterionLine,
    GradeExplanation,
    LearnerGrade,
    ReviewLine,
)

# Bumped when the document's shape changes; older documents are then recomputed.
RECORD_VERSION = 1


class UnreadableRecord(ValueError):
    """A stored document this code cannot read (another version, or damaged)."""


def grade_to_record(grade: LearnerGrade) -> dict[str, Any]:
    """The JSON document of ``grade``."""
    return {
        "version": RECORD_VERSION,
        "learner": grade.learner,
        "submission": _component_to(grade.submission),
        "review": _component_to(grade.review),
        "final": _component_to(grade.final) if grade.final is not None else None,
        "activity_progress": grade.activity_progress.value,
        "explanation": _explanation_to(grade.explanation),
    }


def grade_from_record(record: Mapping[str, Any]) -> LearnerGrade:
    """The grade a document of :func:`grade_to_record` holds; UnreadableRecord if none."""
    if record.get("version") != RECORD_VERSION:
        raise UnreadableRecord(f"Stored grade version {record.get('version')!r} is not known.")
    try:
        final = record["final"]
        return LearnerGrade(
            learner=str(record["learner"]),
            submission=_component_from(record["submission"]),
            review=_component_from(record["review"]),
            final=_component_from(final) if final is not None else None,
            activity_progress=ActivityProgress(record["activity_progress"]),
            explanation=_explanation_from(record["explanation"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableRecord(f"Stored grade is damaged: {error!r}") from error


def _component_to(component: ComponentGrade) -> dict[str, Any]:
    override = component.override
    return {
        "score": component.score,
        "maximum": component.maximum,
        "progress": component.progress.value,
        "source": component.source,
        "provisional": component.provisional,
        "override": None
        if override is None
        else {
            "value": override.value,
            "by": override.by,
            "at": override.at.isoformat(),
            "reason": override.reason,
        },
    }


def _component_from(data: Mapping[str, Any]) -> ComponentGrade:
    found = data["override"]
    override = (
        None
        if found is None
        else Override(
            value=float(found["value"]),
            by=str(found["by"]),
            at=datetime.fromisoformat(found["at"]),
            reason=str(found["reason"]),
        )
    )
    return ComponentGrade(
        score=_number(data["score"]),
        maximum=float(data["maximum"]),
        progress=GradingProgress(data["progress"]),
        source=str(data["source"]),
        provisional=_number(data["provisional"]),
        override=override,
    )


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _explanation_to(explanation: GradeExplanation) -> dict[str, Any]:
    return {
        "method": explanation.method,
        "reviews": [
            {
                "label": line.label,
                "counted": line.counted,
                "reason": line.reason,
                "weight": line.weight,
                "points": dict(line.points),
            }
            for line in explanation.reviews
        ],
        "criteria": [
            {
                "key": line.key,
                "title": line.title,
                "values": list(line.values),
                "aggregated": line.aggregated,
                "maximum": line.maximum,
            }
            for line in explanation.criteria
        ],
        "inputs": [[name, value] for name, value in explanation.inputs],
        "notes": list(explanation.notes),
    }


def _explanation_from(data: Mapping[str, Any]) -> GradeExplanation:
    return GradeExplanation(
        method=str(data["method"]),
        reviews=tuple(
            ReviewLine(
                label=str(line["label"]),
                counted=bool(line["counted"]),
                reason=str(line["reason"]),
                weight=_number(line["weight"]),
                points={str(key): float(value) for key, value in line["points"].items()},
            )
            for line in data["reviews"]
        ),
        criteria=tuple(
            CriterionLine(
                key=str(line["key"]),
                title=str(line["title"]),
                values=tuple(float(value) for value in line["values"]),
                aggregated=_number(line["aggregated"]),
                maximum=float(line["maximum"]),
            )
            for line in data["criteria"]
        ),
        inputs=tuple((str(name), float(value)) for name, value in data["inputs"]),
        notes=tuple(str(note) for note in data["notes"]),
    )
