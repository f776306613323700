"""Who may call each library moderation and sharing endpoint: a learner, the author,
staff, another course's learner and staff, another platform's staff, and nobody (no
launch session). Each row is one request and the status it must get."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.factories.library_visits import Library, second_platform
from tests.functional.conftest import LtiWorld

ROLES = ("learner", "author", "staff", "other-learner", "other-staff", "other-platform")


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    fields: tuple[tuple[str, str], ...]
    # Expected status per role, in ROLES order; redirects are not followed (303 = done).
    expected: tuple[int, ...]


@pytest.fixture
def library(world: LtiWorld, tmp_path: Path) -> Iterator[Library]:
    library = Library(world)
    library.launch("learner", "demo-learner-2")
    library.launch("author", "demo-learner-1")
    library.launch("staff", "demo-teacher")
    library.launch_elsewhere("other-learner", "demo-learner-3", "other-course")
    library.launch_elsewhere("other-staff", "demo-teacher", "other-course")
    with second_platform(world, tmp_path / "second") as other:
        library.launch_from("other-platform", other, "demo-teacher")
        yield library


def calls(key: str, comment: int, sibling: int) -> list[Call]:
    not_here = (404, 404, 404)  # another course, another platform: nothing exists
    staff_only = (403, 403)
    return [
        Call("GET", f"/items/{key}/flag", (), (200, 200, 200, *not_here)),
        Call("POST", f"/items/{key}/flag", (("reason", "spam"),), (303, 403, 303, *not_here)),
        Call("GET", f"/comments/{comment}/flag", (), (200, 200, 200, *not_here)),
        Call(
            "POST",
            f"/comments/{comment}/flag",
            (("reason", "other"), ("details", "rude")),
            (303, 403, 303, *not_here),
        ),
        # Course pages: every course has its own queue and policy (empty elsewhere).
        Call("GET", "/moderation", (), (*staff_only, 200, 403, 200, 200)),
        Call("GET", "/moderation/policy", (), (*staff_only, 200, 403, 200, 200)),
        Call(
            "POST",
            "/moderation/policy",
            (("policy", "approval"),),
            (*staff_only, 303, 403, 303, 303),
        ),
        Call("GET", f"/moderation/items/{key}", (), (*staff_only, 200, *not_here)),
        Call(
            "POST",
            f"/moderation/items/{key}/decision",
            (("decision", "dismiss"),),
            (*staff_only, 303, *not_here),
        ),
        Call(
            "POST",
            f"/moderation/comments/{comment}/decision",
            (("decision", "dismiss"),),
            (*staff_only, 303, *not_here),
        ),
        Call("GET", f"/items/{key}/share", (), (*staff_only, 200, *not_here)),
        Call(
            "POST",
            f"/items/{key}/share",
            (("course", str(sibling)),),
            (*staff_only, 303, *not_here),
        ),
        Call(
            "POST",
            f"/items/{key}/unshare",
            (("course", str(sibling)),),
            (*staff_only, 303, *not_here),
        ),
    ]


def test_every_endpoint_authorises_every_role(library: Library) -> None:
    item_id, key = library.insert_item("author", title="Matrix item")
    comment = library.insert_comment("author", item_id)
    library.launch_elsewhere("sibling-staff", "demo-teacher", "sibling-course")
    sibling = library.context_of("sibling-staff")
    seen: list[tuple[str, str, str, int]] = []
    for call in calls(key, comment, sibling):
        for role, expected in zip(ROLES, call.expected, strict=True):
            if call.method == "GET":
                answer = library.get(role, call.path)
            else:
                answer = library.post(role, call.path, follow=False, **dict(call.fields))
            seen.append((call.method, call.path, role, answer.status))
            assert answer.status == expected, (call.method, call.path, role, answer.text[:300])
            if expected in {403, 404}:
                assert "Traceback" not in answer.text
                assert "Matrix item" not in answer.text or role in {"learner", "author"}
    assert len(seen) == len(ROLES) * 13


def test_no_session_no_access(library: Library) -> None:
    _item_id, key = library.insert_item("author")
    for method, path in [
        ("GET", "/moderation"),
        ("GET", f"/items/{key}/flag"),
        ("POST", f"/items/{key}/flag"),
        ("POST", f"/moderation/items/{key}/decision"),
        ("GET", f"/items/{key}/share"),
    ]:
        answer = requests.request(
            method, f"{library.base}{path}", data={"reason": "spam"}, timeout=10
        )
        assert answer.status_code == 401, (method, path)
        forged = requests.request(
            method, f"{library.base}{path}", data={"ls": "forged", "reason": "spam"}, timeout=10
        )
        assert forged.status_code == 401, (method, path)


def test_bad_input_is_a_clear_refusal(library: Library) -> None:
    item_id, key = library.insert_item("author")
    comment = library.insert_comment("author", item_id)
    huge = str(2**31)
    for method, path, fields, status, code in [
        ("GET", f"/comments/{huge}/flag", {}, 404, None),
        ("POST", f"/comments/{huge}/flag", {"reason": "spam"}, 404, None),
        ("POST", f"/moderation/comments/{huge}/decision", {"decision": "hide"}, 404, None),
        ("POST", f"/comments/{comment}/flag", {"reason": "x" * 6000}, 422, "form_invalid"),
        ("POST", f"/items/{key}/flag", {"reason": "spam", "details": "y" * 501}, 400,
         "flag_details_too_long"),
        ("POST", f"/items/{key}/share", {"course": huge}, 422, "form_invalid"),
        ("POST", f"/items/{key}/share", {"course": "abc"}, 422, "form_invalid"),
        ("POST", f"/items/{key}/share", {}, 422, "form_invalid"),
        ("POST", f"/items/{key}/unshare", {"course": "-1"}, 422, "form_invalid"),
        ("POST", f"/moderation/items/{key}/decision", {"decision": "burn"}, 400,
         "moderation_decision_unknown"),
        ("POST", f"/moderation/items/{key}/decision", {"decision": "approve"}, 409,
         "item_published_not_approved"),
        ("POST", f"/moderation/items/{key}/decision", {"decision": "hide", "note": "n" * 501},
         400, "staff_note_too_long"),
    ]:  # fmt: skip
        who = "learner" if "/flag" in path else "staff"
        answer = (
            library.get(who, path)
            if method == "GET"
            else library.post(who, path, follow=False, **fields)
        )
        assert answer.status == status, (path, fields, answer.text[:300])
        if code is not None:
            assert answer.error_code() == code, (path, answer.text[:300])
        assert "Traceback" not in answer.text
    problem = requests.post(
        f"{library.base}/items/{key}/share",
        data={"ls": library.sessions["staff"][1], "course": "abc"},
        headers={"Accept": "application/problem+json"},
        timeout=10,
    )
    assert problem.status_code == 422
    assert problem.headers["Content-Type"].startswith("application/problem+json")
    assert problem.json()["code"] == "form_invalid"
