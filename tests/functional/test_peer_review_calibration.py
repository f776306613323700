"""Calibration against the live tool and the demo LMS: staff prepare and assess examples,
learners are held back from reviewing until they assessed them, compare with the
teacher, and their calibration accuracy counts in the review grade in the gradebook."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lti_tool.demo.platform import DEMO_PEOPLE
from lti_tool.persistence.peer_review_models import CalibrationExample
from tests.functional.conftest import LtiWorld
from tests.functional.test_peer_review import CLAIM, LEARNERS, Course, review_links
from tests.functional.test_peer_review_staff import FULL, gradebook, verbs
from tests.support.browser import Browser

TEACHER = "demo-teacher"
GOOD = {"score-argument": "4", "score-clarity": "2"}  # the first example, as graded
MIDDLING = {"score-argument": "2", "score-clarity": "1"}  # the second example
POOR = {"score-argument": "0", "score-clarity": "0"}
NOTE = {"comment-argument": "My reasons."}


def calibrated_course(world: LtiWorld, **settings: str) -> Course:
    return Course(
        world,
        calibration="on",
        calibration_examples=settings.pop("calibration_examples", "2"),
        calibration_weight=settings.pop("calibration_weight", "0.5"),
        **settings,
    )


def add_example(course: Course, title: str, text: str = "", **fields: str) -> int:
    page = course.post(TEACHER, "/calibration/examples", title=title, text=text, **fields)
    assert page.status == 200, page.text
    found = re.search(r"/calibration/examples/(\d+)\?", page.url)
    assert found is not None, page.url
    return int(found[1])


def assess_example(course: Course, example: int, levels: dict[str, str], why: str) -> Any:
    return course.post(
        TEACHER,
        f"/calibration/examples/{example}",
        part="assessment",
        explanation=why,
        **levels,
    )


def prepare_two_examples(course: Course) -> tuple[int, int]:
    course.open(TEACHER)
    first = add_example(
        course,
        "A strong essay",
        "# Why peers learn\n\nA clear claim.<script>alert(1)</script>",
        link_url="https://example.org/essay",
    )
    assessed = assess_example(course, first, GOOD, "Clear claim, well supported.")
    assert assessed.status == 200
    assert "learners can use this example" in assessed.text
    assert 'name="score-argument" value="4.0" checked' in assessed.text  # shown as saved
    second = add_example(course, "A thin essay", "Some claim, little support.")
    incomplete = assess_example(course, second, {"score-argument": "2"}, "")
    assert incomplete.status == 422
    assert "Choose a level." in incomplete.text
    assert assess_example(course, second, MIDDLING, "The claim is there, barely.").status == 200
    return first, second


def calibrate(course: Course, learner: str, example: int, levels: dict[str, str]) -> Any:
    page = course.post(learner, f"/calibration/{example}", **levels, **NOTE)
    assert page.status == 200, page.text
    return page


def review_all(course: Course, learner: str) -> None:
    for allocation in review_links(course.get(learner).text):
        done = course.post(learner, f"/reviews/{allocation}", action="submit", **FULL)
        assert done.status == 200, done.text


def assert_names_no_one_else(course: Course, me: str, paths: list[str]) -> None:
    """Calibration pages show the learner's own work and the teacher's, nobody else's."""
    forbidden = set()
    for person in DEMO_PEOPLE:
        if person.id != me:
            forbidden |= {person.id, person.email or "", person.name or ""}
            forbidden |= {person.given_name or "", person.family_name or ""}
    forbidden.discard("")
    for path in paths:
        page = course.get(me, path)
        assert page.status == 200, path
        for secret in forbidden:
            assert secret not in page.text, (secret, path)


def refused_until_calibrated(course: Course, me: str) -> int:
    """The learner's first review, refused (403, with the way to calibrate) for now."""
    activity = course.get(me).text
    assert 'data-state="to-do"' in activity
    assert "assess 2 more" in activity
    [allocation, *_rest] = review_links(activity)
    for refused in (
        course.get(me, f"/reviews/{allocation}"),
        course.post(me, f"/reviews/{allocation}", action="submit", **FULL),
    ):
        assert refused.status == 403
        assert 'id="calibration-required"' in refused.text
        assert "/calibration?ls=" in refused.text
    listing = course.get(me, "/calibration")
    assert listing.status == 200
    assert listing.text.count("to do") == 2
    return allocation


def first_attempt(course: Course, me: str, first: int) -> None:
    """The learner assesses the first example as the teacher did, once and for good."""
    example = course.get(me, f"/calibration/{first}")
    assert "Why peers learn" in example.text
    assert "<script>" not in example.text
    assert "Clear claim, well supported." not in example.text  # not before assessing
    incomplete = course.post(me, f"/calibration/{first}", **{"score-argument": "4"})
    assert incomplete.status == 422
    compared = calibrate(course, me, first, GOOD)
    assert "Assessment submitted." in compared.text
    assert "Clear claim, well supported." in compared.text
    assert 'id="example-accuracy">100.0 %<' in compared.text
    assert 'data-state="to-do"' in compared.text
    again = course.post(me, f"/calibration/{first}", **POOR, **NOTE)
    assert again.status == 409
    assert "<code>calibration_attempt_final</code>" in again.text


def test_learners_calibrate_before_reviewing_and_it_counts_in_the_grade(
    world: LtiWorld,
) -> None:
    course = calibrated_course(world)
    first, second = prepare_two_examples(course)
    staff_page = course.get(TEACHER, "/calibration/examples").text
    assert staff_page.index("A strong essay") < staff_page.index("A thin essay")
    assert 'id="too-few"' not in staff_page
    for learner in LEARNERS:
        course.open(learner)
        course.post(learner, "/submission", text=f"Essay by {learner}")
    assert course.post(TEACHER, "/allocate").status == 200

    me = "demo-learner-1"
    allocation = refused_until_calibrated(course, me)
    first_attempt(course, me, first)
    compared = calibrate(course, me, second, POOR)
    assert 'data-state="done"' in compared.text
    mine = re.search(r'data-criterion="argument".*?class="mine">([^<]*)<', compared.text, re.S)
    assert mine is not None
    assert mine[1].startswith("0.0: Missing")
    assert 'id="to-activity"' in compared.text
    assert course.get(me, f"/reviews/{allocation}").status == 200
    review_all(course, me)
    for learner in LEARNERS[1:]:  # everyone else matches the teacher exactly
        calibrate(course, learner, first, GOOD)
        calibrate(course, learner, second, MIDDLING)
        review_all(course, learner)

    assert_names_no_one_else(
        course, me, ["/calibration", f"/calibration/{first}", f"/calibration/{second}"]
    )
    # Levels are fixed once learners assessed an example; its explanation is not.
    locked = assess_example(course, first, MIDDLING, "Changed my mind.")
    assert locked.status == 409
    assert assess_example(course, first, GOOD, "Clear claim, very well supported.").status == 200
    assert course.post(TEACHER, f"/calibration/examples/{first}/remove").status == 409

    # Example 1: exact (1.0). Example 2: teacher and three learners at 50 % on both
    # criteria, demo-learner-1 at 0: variance 400, distance 50**3 / (5 * 400) = 62.5,
    # accuracy 0.375. Mean 0.6875; half the review share: 0.5 + 0.5 * 0.6875 = 0.84375.
    dashboard = course.get(TEACHER).text
    assert '<td class="calibration">68.8 %</td>' in dashboard
    assert course.post(TEACHER, "/release").status == 200
    grade = course.get(me).text
    assert "your calibration accuracy: 0.6875" in grade
    assert "calibration share of the review grade: 0.5" in grade
    scores = gradebook(course)
    assert scores[me]["scoreGiven"] == pytest.approx(80 + 20 * 0.84375)
    for learner in LEARNERS[1:]:
        assert scores[learner]["scoreGiven"] == pytest.approx(100)
    exported = list(csv.DictReader(io.StringIO(course.get(TEACHER, "/grades.csv").text)))
    assert sorted(row["calibration accuracy"] for row in exported) == ["0.6875", "1", "1", "1"]
    assert course.post(me, f"/calibration/{second}", **GOOD).status == 409  # closed
    assert verbs(course)["answered"] == 8


def test_examples_are_kept_in_order_and_never_block_learners_for_ever(world: LtiWorld) -> None:
    reviews_due = (datetime.now(UTC) + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    course = calibrated_course(
        world, calibration_examples="1", allocation="queue", reviews_due=reviews_due
    )
    course.open(TEACHER)
    first = add_example(course, "First", "One.")
    second = add_example(course, "Second", "Two.")
    moved = course.post(TEACHER, f"/calibration/examples/{second}/move", direction="up")
    assert moved.status == 200
    assert moved.text.index("Second") < moved.text.index("First")
    assert 'id="too-few"' in moved.text
    bad = course.post(TEACHER, "/calibration/examples", title=" ", link_url="javascript:x")
    assert bad.status == 422
    assert "A link must start with https://" in bad.text
    assert course.post(TEACHER, f"/calibration/examples/{first}/remove").status == 200
    with world.services.sessions() as session:
        assert session.scalars(select(CalibrationExample.id)).all() == [second]

    for learner in ("demo-learner-1", "demo-learner-2", "demo-learner-3"):
        course.open(learner)
        course.post(learner, "/submission", text=f"Work by {learner}")
    # Nothing assessed yet: learners are told so and review straight away.
    assert 'data-state="too-few-examples"' in course.get("demo-learner-1").text
    assert course.get("demo-learner-1", f"/calibration/{second}").status == 404  # unfinished
    started = course.post("demo-learner-1", "/next")
    assert "/reviews/" in started.url
    held = int(re.search(r"/reviews/(\d+)\?", started.url)[1])
    course.post("demo-learner-1", f"/reviews/{held}", **{"score-argument": "2"})  # a draft

    assert assess_example(course, second, GOOD, "Good.").status == 200
    refused = course.post("demo-learner-2", "/next")
    assert refused.status == 403
    assert 'id="calibration-required"' in refused.text
    assert 'id="take-next"' not in course.get("demo-learner-2").text
    calibrate(course, "demo-learner-2", second, GOOD)
    assert "/reviews/" in course.post("demo-learner-2", "/next").url
    # demo-learner-1 began reviewing before the example was ready, and carries on.
    assert 'data-state="already-reviewing"' in course.get("demo-learner-1").text
    assert course.get("demo-learner-1", f"/reviews/{held}").status == 200
    assert course.post("demo-learner-3", "/next").status == 403


def test_who_may_reach_the_calibration_pages(world: LtiWorld) -> None:
    course = calibrated_course(world)
    first, _second = prepare_two_examples(course)
    course.open("demo-learner-1")
    course.post("demo-learner-1", "/submission", text="mine")

    def elsewhere(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {"id": "another-course", "title": "Elsewhere"}
        claims[CLAIM + "resource_link"] = {"id": "elsewhere-link"}

    for name, person in (("outsider", "demo-learner-3"), ("outside-staff", TEACHER)):
        page = world.tampered_launch(person, elsewhere)
        assert page.status == 200, page.text
        course.sessions[name] = (Browser(), page.meta("peerlearn-session"))
    staff_pages: list[tuple[str, str, dict[str, str]]] = [
        ("GET", "/calibration/examples", {}),
        ("POST", "/calibration/examples", {"title": "Mine now"}),
        ("GET", f"/calibration/examples/{first}", {}),
        ("POST", f"/calibration/examples/{first}", {"part": "wording", "title": "Taken"}),
        ("POST", f"/calibration/examples/{first}", {"part": "assessment", **POOR}),
        ("POST", f"/calibration/examples/{first}/move", {"direction": "down"}),
        ("POST", f"/calibration/examples/{first}/remove", {}),
    ]
    learner_pages: list[tuple[str, str, dict[str, str]]] = [
        ("GET", "/calibration", {}),
        ("GET", f"/calibration/{first}", {}),
        ("POST", f"/calibration/{first}", {**GOOD, **NOTE}),
    ]
    expected = {
        "demo-learner-1": Counter({"staff": 403}),
        TEACHER: Counter({"learner": 403}),
        "outsider": Counter({"staff": 404, "learner": 404}),
        "outside-staff": Counter({"staff": 404, "learner": 404}),
    }
    for who, refusals in expected.items():
        for side, pages in (("staff", staff_pages), ("learner", learner_pages)):
            if side not in refusals:
                continue
            for method, path, fields in pages:
                page = (
                    course.post(who, path, **fields) if method == "POST" else course.get(who, path)
                )
                assert page.status == refusals[side], (who, method, path, page.status)
    with world.services.sessions() as session:
        titles = session.scalars(select(CalibrationExample.title)).all()
    assert sorted(titles) == ["A strong essay", "A thin essay"]  # nothing changed
    assert course.get(TEACHER, "/calibration/examples/999999").status == 404


def test_learner_pages_do_not_exist_without_calibration(world: LtiWorld) -> None:
    course = Course(world)
    course.open("demo-learner-1")
    assert course.get("demo-learner-1", "/calibration").status == 404
    course.open(TEACHER)
    assert 'id="calibration-off"' in course.get(TEACHER, "/calibration/examples").text
    assert 'id="calibration"' not in course.get("demo-learner-1").text
