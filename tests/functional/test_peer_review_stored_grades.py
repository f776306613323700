"""Grades computed once at release and stored; a flag decision re-sends exactly the
learners whose gradebook values moved, which accuracy weighting can make a third one."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select, update

from lti_tool.courses import grade_passback as grades
from lti_tool.outbox import store as outbox
from lti_tool.persistence.peer_review_models import Allocation, Assessment, StoredGrade, Submission
from tests.functional.conftest import LtiWorld
from tests.functional.test_peer_review import CLAIM, LEARNERS, Course, review_links
from tests.functional.test_peer_review_staff import FULL, HALF, author_of, gradebook, user_id

ZERO = {"score-argument": "0", "comment-argument": "No claim.", "score-clarity": "0"}


def sent_scores(course: Course) -> Counter[str]:
    """How many scores were queued for the gradebook, by learner sub."""
    with course.world.services.engine.connect() as connection:
        return Counter(
            json.loads(payload)["score"]["userId"]
            for payload in outbox.payloads(connection, topic=grades.TOPIC)
        )


def weighted_cycle(world: LtiWorld) -> Course:
    """Four learners each review the three others; learner 4 gives learner 1 nothing and
    learner 2 half marks, everyone else full marks; grades released."""
    course = Course(world, reviews_per_submission="3", aggregation="accuracy-weighted")
    for learner in LEARNERS:
        course.open(learner)
        assert course.post(learner, "/submission", text=f"Essay by {learner}").status == 200
    course.open("demo-teacher")
    assert course.post("demo-teacher", "/allocate").status == 200
    marks = {"demo-learner-1": ZERO, "demo-learner-2": HALF}
    for learner in LEARNERS:
        tasks = review_links(course.get(learner).text)
        assert len(tasks) == 3
        for allocation in tasks:
            author = author_of(course, allocation)
            fields = marks.get(author, FULL) if learner == "demo-learner-4" else FULL
            done = course.post(learner, f"/reviews/{allocation}", action="submit", **fields)
            assert done.status == 200, done.text
    assert course.post("demo-teacher", "/release").status == 200
    return course


def review_by(course: Course, reviewer: str, author: str) -> int:
    with course.world.services.sessions() as session:
        return session.execute(
            select(Assessment.id)
            .join(Allocation, Allocation.id == Assessment.allocation_id)
            .join(Submission, Submission.id == Allocation.submission_id)
            .where(
                Allocation.reviewer_id == user_id(course, reviewer),
                Submission.author_id == user_id(course, author),
            )
        ).scalar_one()


def test_a_dismissed_flag_resends_only_the_grades_it_moved(world: LtiWorld) -> None:
    course = weighted_cycle(world)
    # The platform's gradebook is a live dict: keep what it said at release.
    released = copy.deepcopy(gradebook(course))
    assert released["demo-learner-1"]["scoreGiven"] == pytest.approx(82.745, abs=1e-3)
    assert released["demo-learner-2"]["scoreGiven"] == pytest.approx(91.373, abs=1e-3)
    assert released["demo-learner-3"]["scoreGiven"] == 100

    harsh = review_by(course, "demo-learner-4", "demo-learner-1")
    flagged = course.post("demo-learner-1", f"/received/{harsh}", flag_reason="Unfair")
    assert flagged.status == 200
    # The open flag leaves learner 4's review out: their accuracy, hence their weight on
    # learner 2's work, changes, and so does learner 2's grade, not only the two involved.
    during = gradebook(course, hours=2)
    assert during["demo-learner-1"]["gradingProgress"] == "PendingManual"
    assert during["demo-learner-4"]["gradingProgress"] == "PendingManual"
    assert during["demo-learner-2"]["scoreGiven"] == pytest.approx(88.829, abs=1e-3)

    before = sent_scores(course)
    dismissed = course.post("demo-teacher", f"/flags/{harsh}", decision="dismiss")
    assert dismissed.status == 200, dismissed.text
    resent = sent_scores(course) - before
    assert resent == Counter(["demo-learner-1", "demo-learner-2", "demo-learner-4"])
    after = gradebook(course, hours=3)
    for learner in LEARNERS:
        assert after[learner]["scoreGiven"] == pytest.approx(released[learner]["scoreGiven"])
        assert after[learner]["gradingProgress"] == "FullyGraded"
    # What the learner sees is what the gradebook got.
    page = course.get("demo-learner-2").text
    assert re.search(r'id="grade-value">91\.37', page), page


def test_learner_pages_read_the_stored_grade(world: LtiWorld) -> None:
    course = weighted_cycle(world)
    learner = user_id(course, "demo-learner-3")
    with world.services.sessions() as session:
        stored = {row.learner_id: row.record for row in session.scalars(select(StoredGrade))}
    assert set(stored) == {user_id(course, sub) for sub in LEARNERS}
    assert stored[learner]["final"]["score"] == 100
    # Were the page to recompute the cohort, it would still say 100.
    record = stored[learner]
    record["final"] = {**record["final"], "score": 64.5}
    with world.services.engine.begin() as connection:
        connection.execute(
            update(StoredGrade).where(StoredGrade.learner_id == learner).values(record=record)
        )
    assert re.search(r'id="grade-value">64\.5<', course.get("demo-learner-3").text)

    def review_of_learner_3(claims: dict[str, Any]) -> None:
        claims[CLAIM + "message_type"] = "LtiSubmissionReviewRequest"
        claims[CLAIM + "for_user"] = {"user_id": "demo-learner-3"}

    # The gradebook's Submission Review shows staff the same stored grade.
    review = world.tampered_launch("demo-teacher", review_of_learner_3, link_id=course.link.id)
    assert review.status == 200, review.text
    assert re.search(r'id="grade-value">64\.5<', review.text), review.text
    # A record this code cannot read is recomputed, never shown broken.
    with world.services.engine.begin() as connection:
        connection.execute(
            update(StoredGrade)
            .where(StoredGrade.learner_id == learner)
            .values(record={"version": 0})
        )
    assert re.search(r'id="grade-value">100(\.0)?<', course.get("demo-learner-3").text)


def test_a_helpfulness_rating_after_release_moves_the_reviewers_grade(world: LtiWorld) -> None:
    """With a helpfulness share, authors' ratings (given once feedback is out) are part of
    the reviewers' grades: each rating re-sends whatever it moved, and only that."""
    course = Course(world, reviews_per_submission="3", helpfulness_weight="0.5")
    for learner in LEARNERS:
        course.open(learner)
        assert course.post(learner, "/submission", text=f"Essay by {learner}").status == 200
    course.open("demo-teacher")
    assert course.post("demo-teacher", "/allocate").status == 200
    for learner in LEARNERS:
        for allocation in review_links(course.get(learner).text):
            done = course.post(learner, f"/reviews/{allocation}", action="submit", **FULL)
            assert done.status == 200, done.text
    assert course.post("demo-teacher", "/release").status == 200
    # The platform's gradebook is a live dict: keep what it said at release.
    released = copy.deepcopy(gradebook(course))

    before = sent_scores(course)
    rated = review_by(course, "demo-learner-2", "demo-learner-1")
    assert course.post("demo-learner-1", f"/received/{rated}", helpfulness="1").status == 200
    assert sent_scores(course) - before == Counter(["demo-learner-2"])
    after = gradebook(course, hours=2)
    assert released["demo-learner-2"]["scoreGiven"] == 100
    # Half the review share from the ratings: one rating of 1 (0 of 1) halves it.
    assert after["demo-learner-2"]["scoreGiven"] == pytest.approx(90)
    for learner in ("demo-learner-1", "demo-learner-3", "demo-learner-4"):
        assert after[learner]["scoreGiven"] == pytest.approx(released[learner]["scoreGiven"])
    # Rating it again the same way moves nothing, so nothing is sent.
    again = sent_scores(course)
    assert course.post("demo-learner-1", f"/received/{rated}", helpfulness="1").status == 200
    assert sent_scores(course) == again


def test_a_review_finished_after_release_reaches_the_gradebook(world: LtiWorld) -> None:
    course = Course(world, reviews_per_submission="3")
    for learner in LEARNERS:
        course.open(learner)
        assert course.post(learner, "/submission", text=f"Essay by {learner}").status == 200
    course.open("demo-teacher")
    assert course.post("demo-teacher", "/allocate").status == 200
    late = review_links(course.get("demo-learner-3").text)
    for learner in LEARNERS:
        tasks = review_links(course.get(learner).text)
        for allocation in tasks[:-1] if learner == "demo-learner-3" else tasks:
            done = course.post(learner, f"/reviews/{allocation}", action="submit", **FULL)
            assert done.status == 200, done.text
    assert course.post("demo-teacher", "/release").status == 200
    released = copy.deepcopy(gradebook(course))
    assert released["demo-learner-3"]["scoreGiven"] < 100

    before = sent_scores(course)
    done = course.post("demo-learner-3", f"/reviews/{late[-1]}", action="submit", **FULL)
    assert done.status == 200, done.text
    # Learner 3's completion is whole now, and the author reviewed gets a third review.
    resent = sent_scores(course) - before
    assert "demo-learner-3" in resent
    assert gradebook(course, hours=2)["demo-learner-3"]["scoreGiven"] == 100
