"""A course's library of rubrics: saved from an activity, reused when placing another."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, delete, insert, select

from lti_tool.domain.course_choices import CourseChoice
from lti_tool.domain.errors import BadRequest, NotFound
from lti_tool.domain.peer_review.rubric import Rubric
from lti_tool.domain.peer_review.rubric_text import format_rubric_text
from lti_tool.persistence.peer_review_models import SavedRubric

TITLE_LIMIT = 255


@dataclass(frozen=True)
class LibraryRubric:
    id: int
    title: str
    text: str  # in the settings form's rubric format, ready to paste
    max_points: float


def save(
    connection: Connection,
    *,
    context_id: int,
    title: str,
    rubric: Rubric,
    by: int,
    now: datetime,
) -> int:
    title = " ".join(title.split())
    if not title or len(title) > TITLE_LIMIT:
        raise BadRequest(
            f"Give the rubric a title of at most {TITLE_LIMIT} characters.", code="rubric_title"
        )
    return int(
        connection.execute(
            insert(SavedRubric)
            .values(
                context_id=context_id,
                title=title,
                rubric=rubric.to_dict(),
                created_by=by,
                created_at=now,
            )
            .returning(SavedRubric.id)
        ).scalar_one()
    )


def library(connection: Connection, context_id: int) -> list[LibraryRubric]:
    rows = connection.execute(
        select(SavedRubric.id, SavedRubric.title, SavedRubric.rubric)
        .where(SavedRubric.context_id == context_id)
        .order_by(SavedRubric.title, SavedRubric.id)
    ).all()
    found = []
    for row in rows:
        rubric = Rubric.from_dict(row.rubric)
        found.append(
            LibraryRubric(row.id, row.title, format_rubric_text(rubric), rubric.max_points)
        )
    return found


def course_choices(connection: Connection, context_id: int) -> list[CourseChoice]:
    """The course's rubrics as options of the settings form's "Start from a saved
    rubric": picking one fills the rubric field."""
    return [
        CourseChoice(
            value=str(saved.id),
            label=f"{saved.title} ({saved.max_points:g} points)",
            fills={"rubric": saved.text},
        )
        for saved in library(connection, context_id)
    ]


def remove(connection: Connection, *, context_id: int, rubric_id: int) -> None:
    gone = connection.execute(
        delete(SavedRubric).where(SavedRubric.id == rubric_id, SavedRubric.context_id == context_id)
    )
    if gone.rowcount == 0:
        raise NotFound("There is no such rubric in this course's library.", code="rubric_not_found")


def save_to_library(
    engine: Engine, *, context_id: int, title: str, rubric: Rubric, by: int, now: datetime
) -> int:
    """Staff keep an activity's rubric in the course's library (one transaction)."""
    with engine.begin() as connection:
        return save(connection, context_id=context_id, title=title, rubric=rubric, by=by, now=now)


def remove_from_library(engine: Engine, *, context_id: int, rubric_id: int) -> None:
    """Staff remove a rubric from the course's library (404 for another course's)."""
    with engine.begin() as connection:
        remove(connection, context_id=context_id, rubric_id=rubric_id)


def library_of(engine: Engine, context_id: int) -> list[LibraryRubric]:
    with engine.connect() as connection:
        return library(connection, context_id)
