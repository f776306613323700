"""Course-dependent options of kinds' settings forms (see
:mod:`lti_tool.domain.course_choices`): each provider is registered once under the name
a kind's field refers to, and asked for one course's options when a form is shown or
submitted."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from flask import Flask
from sqlalchemy import Connection

from lti_tool.domain.activities import ActivityKind
from lti_tool.domain.course_choices import (
    CourseChoice,
    CourseOptions,
    fill_from_choices,
    for_course,
    providers_of,
)
from lti_tool.web.context import services

ChoiceProvider = Callable[[Connection, int], Sequence[CourseChoice]]


def register_choice_provider(app: Flask, name: str, provider: ChoiceProvider) -> None:
    registry: dict[str, ChoiceProvider] = app.extensions["peerlearn"].choice_providers
    if name in registry:
        raise ValueError(f"choice provider {name!r} is registered already")
    registry[name] = provider


def course_options(kind: ActivityKind, context_id: int | None) -> CourseOptions:
    """The options of ``kind``'s course-dependent fields in this course (none outside one)."""
    wanted = providers_of(kind)
    if not wanted or context_id is None:
        return {}
    svc = services()
    registry: Mapping[str, ChoiceProvider] = svc.choice_providers
    with svc.engine.connect() as connection:
        return {
            name: list(registry[name](connection, context_id)) for name in wanted & set(registry)
        }


def course_form(
    kind: ActivityKind, context_id: int | None, submitted: Mapping[str, str] | None = None
) -> tuple[ActivityKind, dict[str, str]]:
    """``kind`` as this course's form shows and checks it, and ``submitted`` with what
    the picked options fill (empty without ``submitted``)."""
    offered = course_options(kind, context_id)
    fitted = for_course(kind, offered)
    return fitted, fill_from_choices(fitted, submitted, offered) if submitted is not None else {}
