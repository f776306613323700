"""Stored XSS: every payload of the corpus, in every field this part of the library
renders, submitted the way it really arrives and read back on every page that shows it;
no page may hold active markup (tests/support/xss_corpus.py).

``FIELDS`` is the list to extend as more of the library lands: (field, how to submit a
payload into it, which pages then show it and to whom). Each submit function returns
what the page paths need; pages are (viewer, path) pairs under /app/library, except for
paths starting with "/app/" which are taken as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from markupsafe import escape

from tests.functional.conftest import LtiWorld
from tests.functional.library_world import Library
from tests.support.xss_corpus import CORPUS, Payload, active_markup

MAX_DISPLAY_NAME = 120


@dataclass(frozen=True)
class RenderedField:
    name: str
    submit: Callable[[Library, str], dict[str, Any]]
    pages: Callable[[dict[str, Any]], list[tuple[str, str]]]
    # After the pages were checked: put things back so pages stay small (optional).
    tidy: Callable[[Library, dict[str, Any]], None] | None = None
    # Plain-text fields show the payload escaped: proof that it was rendered at all.
    shown_escaped: bool = False
    accepts: Callable[[str], bool] = lambda _text: True


def _comment(library: Library, text: str) -> dict[str, Any]:
    item_id, key = library.item("demo-learner-1")
    comment = library.comment("demo-learner-2", item_id, body=text)
    flagged = library.post("demo-learner-1", f"/comments/{comment}/flag", reason="spam")
    assert flagged.status == 200, flagged.text
    return {"key": key, "comment": comment}


def _dismiss_comment(library: Library, made: dict[str, Any]) -> None:
    done = library.post(
        "demo-teacher", f"/moderation/comments/{made['comment']}/decision", decision="dismiss"
    )
    assert done.status == 200


def _flag_details(library: Library, text: str) -> dict[str, Any]:
    _item_id, key = library.item("demo-learner-1")
    flagged = library.post(
        "demo-learner-2", f"/items/{key}/flag", reason="other", details=f"x {text}"
    )
    assert flagged.status == 200, flagged.text
    return {"key": key}


def _dismiss_item(library: Library, made: dict[str, Any]) -> None:
    done = library.post(
        "demo-teacher", f"/moderation/items/{made['key']}/decision", decision="dismiss"
    )
    assert done.status == 200


def _decline_item(library: Library, made: dict[str, Any]) -> None:
    done = library.post(
        "demo-teacher", f"/moderation/items/{made['key']}/decision", decision="hide"
    )
    assert done.status == 200


def _pending_item(field: str) -> Callable[[Library, str], dict[str, Any]]:
    def submit(library: Library, text: str) -> dict[str, Any]:
        values = {"title": "Plain title", "summary": "Plain summary"} | {field: text}
        _item_id, key = library.item("demo-learner-1", state="pending", **values)
        return {"key": key}

    return submit


def _body(library: Library, text: str) -> dict[str, Any]:
    _item_id, key = library.item("demo-learner-1", body=text)
    return {"key": key}


def _course_title(library: Library, text: str) -> dict[str, Any]:
    course = f"course-{len(library.sessions)}"
    page = library.world.tampered_launch(
        "demo-teacher",
        lambda claims: claims.update(
            {
                "https://purl.imsglobal.org/spec/lti/claim/context": {"id": course, "title": text},
                "https://purl.imsglobal.org/spec/lti/claim/resource_link": {"id": f"{course}-l"},
            }
        ),
    )
    assert page.status == 200, page.text
    library.sessions[course] = (library.sessions["demo-teacher"][0], page.meta("peerlearn-session"))
    if "shared-key" not in library.sessions:
        _item_id, key = library.item("demo-learner-1", title="Shared")
        library.sessions["shared-key"] = (library.sessions["demo-teacher"][0], key)
    return {"key": library.sessions["shared-key"][1]}


def _display_name(library: Library, text: str) -> dict[str, Any]:
    browser, token = library.sessions["demo-learner-1"]
    saved = browser.post(
        f"{library.world.tool_url}/app/profile", {"ls": token, "display_name": text}
    )
    assert saved.status == 200, saved.text
    if "named-key" not in library.sessions:
        _item_id, key = library.item("demo-learner-1", state="pending", title="Named")
        library.sessions["named-key"] = (browser, key)
    return {"key": library.sessions["named-key"][1]}


FIELDS = [
    RenderedField(
        "comment body (Markdown)",
        _comment,
        lambda made: [
            ("demo-learner-1", f"/comments/{made['comment']}/flag"),
            ("demo-teacher", "/moderation"),
            ("demo-teacher", f"/moderation/items/{made['key']}"),
        ],
        tidy=_dismiss_comment,
    ),
    RenderedField(
        "flag details",
        _flag_details,
        lambda _made: [("demo-teacher", "/moderation")],
        tidy=_dismiss_item,
        shown_escaped=True,
        accepts=lambda text: len(text) < 490,
    ),
    RenderedField(
        "item title",
        _pending_item("title"),
        lambda made: [
            ("demo-teacher", "/moderation"),
            ("demo-teacher", f"/moderation/items/{made['key']}"),
            ("demo-teacher", f"/items/{made['key']}/share"),
            ("demo-teacher", f"/items/{made['key']}/flag"),
        ],
        tidy=_decline_item,
        shown_escaped=True,
    ),
    RenderedField(
        "item summary",
        _pending_item("summary"),
        lambda made: [
            ("demo-teacher", "/moderation"),
            ("demo-teacher", f"/moderation/items/{made['key']}"),
        ],
        tidy=_decline_item,
        shown_escaped=True,
    ),
    RenderedField(
        "item body (Markdown)",
        _body,
        lambda made: [("demo-teacher", f"/moderation/items/{made['key']}")],
    ),
    RenderedField(
        "course title (LTI claim)",
        _course_title,
        lambda made: [("demo-teacher", f"/items/{made['key']}/share")],
        shown_escaped=True,
    ),
    RenderedField(
        "display name (profile)",
        _display_name,
        lambda made: [
            ("demo-teacher", "/moderation"),
            ("demo-teacher", f"/moderation/items/{made['key']}"),
        ],
        shown_escaped=True,
        accepts=lambda text: len(" ".join(text.split())) <= MAX_DISPLAY_NAME,
    ),
]


def _path(path: str) -> str:
    return path.removeprefix("/app/library") if path.startswith("/app/") else path


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.name)
def test_no_payload_survives_as_active_markup(world: LtiWorld, field: RenderedField) -> None:
    library = Library(world)
    for person in ("demo-teacher", "demo-learner-1", "demo-learner-2"):
        library.launch(person)
    failures: list[tuple[str, str, list[str]]] = []
    checked = 0
    payloads: list[Payload] = [p for p in CORPUS if field.accepts(p.text)]
    assert len(payloads) >= 100
    for payload in payloads:
        made = field.submit(library, payload.text)
        for viewer, path in field.pages(made):
            page = library.get(viewer, _path(path))
            assert page.status == 200, (field.name, payload.text, path, page.text[:500])
            problems = active_markup(page.text)
            if field.shown_escaped:
                shown = str(escape(" ".join(payload.text.split())))
                if shown not in page.text and str(escape(payload.text)) not in page.text:
                    problems.append("the payload is not shown escaped")
            if problems:
                failures.append((payload.text, path, problems))
            checked += 1
        if field.tidy is not None:
            field.tidy(library, made)
    assert failures == []
    assert checked >= len(payloads)
