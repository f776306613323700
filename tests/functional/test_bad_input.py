"""Bad input is a clear answer, never a 500, on SQLite and PostgreSQL (issue 12, item 8):
ids of 2^31 and more in paths, forms and query strings; NUL in typed text and in stored
claims; claims longer than their columns; JSON nested 100,000 deep; and the same act
posted 8 times at once (allocate, release, submit a review)."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from lti_tool.persistence.models import Context, User
from lti_tool.persistence.peer_review_models import Allocation, Assessment, SubmissionVersion
from tests.factories.library_visits import Library
from tests.functional.conftest import LtiWorld
from tests.functional.test_activity_grades import graded_activity, send, user_id
from tests.functional.test_peer_review import CLAIM, LEARNERS, Course, review_links
from tests.functional.test_peer_review_staff import FULL

HUGE = "3000000000"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


@pytest.fixture
def course(world: LtiWorld) -> Course:
    course = Course(world)
    course.open("demo-teacher")
    return course


def test_ids_past_32_bits_are_404_in_paths(course: Course) -> None:
    browser, token = course.sessions["demo-teacher"]
    base = course.world.tool_url
    for path in (
        f"/app/peer-review/{HUGE}",
        f"/app/peer-review/{course.activity_id}/reviews/{HUGE}",
        f"/app/peer-review/{course.activity_id}/files/{HUGE}",
        f"/app/library/comments/{HUGE}/flag",
        f"/app/library/items/x/history/{HUGE}",
    ):
        page = browser.get(f"{base}{path}?ls={token}")
        assert page.status == 404, (path, page.status, page.text[:300])
    for path in (
        f"/app/peer-review/{course.activity_id}/flags/{HUGE}",
        f"/app/peer-review/{course.activity_id}/allocations/{HUGE}/remove",
    ):
        page = browser.post(f"{base}{path}", {"ls": token})
        assert page.status == 404, (path, page.status, page.text[:300])
    api = requests.post(
        f"{base}/api/activities/{HUGE}/grades",
        json={},
        headers={"X-Peerlearn-Session": token},
        timeout=10,
    )
    assert api.status_code == 404, api.text
    assert api.headers["Content-Type"].startswith("application/problem+json")


def test_ids_past_32_bits_in_forms_and_query_strings_are_refused_clearly(course: Course) -> None:
    for fields in (
        {"learner": HUGE, "component": "submission", "value": "1", "reason": "r"},
        {"learner": "1", "component": "submission", "value": "1", "reason": "r"},
    ):
        page = course.post("demo-teacher", "/overrides", **fields)
        assert page.status in {403, 404, 422}, page.text[:300]
    for path, fields in (
        ("/overrides/remove", {"learner": HUGE, "component": "submission"}),
        ("/allocations", {"submission": HUGE, "reviewer": "1"}),
        ("/allocations", {"submission": "1", "reviewer": HUGE}),
        ("/allocations/swap", {"first": HUGE, "second": "1"}),
        ("/groups", {f"group-{HUGE}": "A"}),
    ):
        page = course.post("demo-teacher", path, **fields)
        assert page.status in {400, 422}, (path, page.status, page.text[:300])
    library = Library(course.world)
    library.launch("learner", "demo-learner-1")
    for params in ({"author": HUGE}, {"topic": HUGE}, {"before": HUGE}):
        path = "/feed" if "before" in params else "/"
        page = library.get("learner", path, **params)
        assert page.status == 400, (params, page.status, page.text[:300])
    assert library.get("learner", "/notifications", before=HUGE).status == 400
    page = library.post("learner", "/follows", kind="author", target=HUGE)
    assert page.status == 400, page.text[:300]


def test_the_grades_api_refuses_deep_json_and_big_ids_as_problems(world: LtiWorld) -> None:
    link, activity_id = graded_activity(world)
    world.launch("demo-learner-1", link_id=link.id)
    _browser, page = world.launch("demo-teacher", link_id=link.id)
    token = page.meta("peerlearn-session")
    deep = requests.post(
        f"{world.tool_url}/api/activities/{activity_id}/grades",
        data="[" * 100_000 + "]" * 100_000,
        headers={"X-Peerlearn-Session": token, "Content-Type": "application/json"},
        timeout=30,
    )
    assert deep.status_code == 400, deep.text[:300]
    assert deep.headers["Content-Type"].startswith("application/problem+json")
    assert deep.json()["code"] == "json_invalid"
    big = send(
        world,
        token,
        activity_id,
        user_id=int(HUGE),
        activity_progress="Completed",
        grading_progress="FullyGraded",
    )
    assert big.status_code == 400, big.text
    assert big.headers["Content-Type"].startswith("application/problem+json")
    # A normal grade still goes through.
    fine = send(
        world,
        token,
        activity_id,
        user_id=user_id(world, "demo-learner-1"),
        activity_progress="Submitted",
        grading_progress="Pending",
    )
    assert fine.status_code == 202, fine.text


def test_nul_in_typed_text_is_dropped_by_the_text_rule(course: Course, world: LtiWorld) -> None:
    browser, token = course.sessions["demo-teacher"]
    saved = browser.post(
        f"{world.tool_url}/app/profile", {"ls": token, "display_name": "Ada\x00 L"}
    )
    assert saved.status == 200, saved.text[:300]
    with world.services.sessions() as session:
        names = session.scalars(select(User.display_name).where(User.sub == "demo-teacher")).all()
    assert names == ["Ada L"]

    course.open("demo-learner-1")
    done = course.post("demo-learner-1", "/submission", text="My\x00 essay\x1b.")
    assert done.status == 200, done.text[:300]
    with world.services.sessions() as session:
        texts = session.scalars(select(SubmissionVersion.text_html)).all()
    assert texts
    assert all("\x00" not in (text or "") for text in texts)
    assert any("My essay" in (text or "") for text in texts)


def _custom(value: str) -> Any:
    def mutate(claims: dict[str, Any]) -> None:
        claims[CLAIM + "custom"] = {**claims.get(CLAIM + "custom", {}), "peerlearn_activity": value}

    return mutate


def _lineitem(value: str) -> Any:
    def mutate(claims: dict[str, Any]) -> None:
        claims[AGS] = {**claims.get(AGS, {}), "lineitem": value}

    return mutate


def _context_id(value: str) -> Any:
    def mutate(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {**claims[CLAIM + "context"], "id": value}

    return mutate


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (_custom("abc\x00def"), "invalid_identifier"),
        (_lineitem("https://lms.example/items/1\x00"), "invalid_identifier"),
        (_lineitem("https://lms.example/items/" + "x" * 1024), "claim_too_long"),
        (_context_id("c" * 256), "claim_too_long"),
    ],
    ids=["nul-custom-activity", "nul-lineitem", "long-lineitem", "long-context-id"],
)
def test_stored_claims_that_cannot_be_stored_are_a_clear_400(
    world: LtiWorld, mutate: Any, code: str
) -> None:
    page = world.tampered_launch("demo-learner-1", mutate)
    assert page.status == 400, page.text[:300]
    assert page.error_code() == code
    with world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Context)) == 0


def _at_once(course: Course, person: str, path: str, **fields: str) -> list[int]:
    """``fields`` posted to ``path`` by 8 threads at once; the statuses (no redirects)."""
    _browser, token = course.sessions[person]

    def post(_n: int) -> int:
        return requests.post(
            course.url(path), data={"ls": token, **fields}, allow_redirects=False, timeout=60
        ).status_code

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(post, range(8)))


def test_eight_parallel_allocations_release_and_submits_answer_like_one(course: Course) -> None:
    for learner in LEARNERS:
        course.open(learner)
        assert course.post(learner, "/submission", text=f"Essay by {learner}").status == 200
    answers = _at_once(course, "demo-teacher", "/allocate")
    assert len(set(answers)) == 1, Counter(answers)
    assert answers[0] < 400, Counter(answers)
    with course.world.services.sessions() as session:
        allocated = session.scalar(select(func.count()).select_from(Allocation))
    assert allocated == len(LEARNERS) * 2

    learner = LEARNERS[0]
    allocation = review_links(course.open(learner))[0]
    answers = _at_once(course, learner, f"/reviews/{allocation}", action="submit", **FULL)
    assert len(set(answers)) == 1, Counter(answers)
    assert answers[0] < 400, Counter(answers)
    with course.world.services.sessions() as session:
        submitted = session.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.allocation_id == allocation)
        )
    assert submitted == 1

    answers = _at_once(course, "demo-teacher", "/release")
    assert len(set(answers)) == 1, Counter(answers)
    assert answers[0] < 400, Counter(answers)
