"""Staff tools of a peer review activity against the live tool and the demo LMS: flags
decided, grades overridden, reviewers edited by hand, settings edited, reviews exported;
each reaching the LMS gradebook where it changes a grade."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from lti_tool.domain.peer_review.settings import settings_from_dict
from lti_tool.domain.peer_review.settings_form import settings_to_values
from lti_tool.learning_records.records import TOPIC
from lti_tool.outbox import store as outbox
from lti_tool.persistence.models import Activity, User
from lti_tool.persistence.peer_review_models import (
    ActivityChange,
    Allocation,
    Assessment,
    GradeOverride,
    Submission,
)
from tests.functional.conftest import LtiWorld
from tests.functional.test_grades import worker
from tests.functional.test_peer_review import CLAIM, LEARNERS, Course, review_links
from tests.support.browser import Browser

FULL = {"score-argument": "4", "comment-argument": "Well argued.", "score-clarity": "2"}
HALF = {"score-argument": "2", "comment-argument": "Thin support.", "score-clarity": "1"}


@pytest.fixture
def course(world: LtiWorld) -> Course:
    return Course(world)


def user_id(course: Course, sub: str) -> int:
    with course.world.services.sessions() as session:
        return session.scalars(select(User.id).where(User.sub == sub)).one()


def submit_all(course: Course) -> None:
    for learner in LEARNERS:
        course.open(learner)
        done = course.post(learner, "/submission", text=f"Essay by {learner}")
        assert done.status == 200, done.text
    course.open("demo-teacher")
    assert course.post("demo-teacher", "/allocate").status == 200


def author_of(course: Course, allocation_id: int) -> str:
    with course.world.services.sessions() as session:
        return session.execute(
            select(User.sub)
            .join(Submission, Submission.author_id == User.id)
            .join(Allocation, Allocation.submission_id == Submission.id)
            .where(Allocation.id == allocation_id)
        ).scalar_one()


def review_everything(course: Course, *, harsh: str | None = None) -> None:
    """Every learner submits every review: full marks, except ``harsh``'s reviews of
    demo-learner-1's work, which get half."""
    for learner in LEARNERS:
        for allocation in review_links(course.get(learner).text):
            mine = learner == harsh and author_of(course, allocation) == "demo-learner-1"
            done = course.post(
                learner, f"/reviews/{allocation}", action="submit", **(HALF if mine else FULL)
            )
            assert done.status == 200, done.text


def reviewer_of_learner_1(course: Course) -> str:
    with course.world.services.sessions() as session:
        return session.execute(
            select(User.sub)
            .join(Allocation, Allocation.reviewer_id == User.id)
            .join(Submission, Submission.id == Allocation.submission_id)
            .where(Submission.author_id == user_id(course, "demo-learner-1"))
            .order_by(Allocation.id)
            .limit(1)
        ).scalar_one()


def released_course(course: Course) -> str:
    """A released cycle in which one reviewer gave demo-learner-1 half marks."""
    submit_all(course)
    harsh = reviewer_of_learner_1(course)
    review_everything(course, harsh=harsh)
    assert course.post("demo-teacher", "/release").status == 200
    return harsh


def gradebook(course: Course, *, hours: int = 1) -> dict[str, Any]:
    grades = worker(course.world)
    grades.clock = lambda: time.time() + 3600 * hours  # past any backoff
    while grades.run_once():
        pass
    scores: dict[str, Any] = course.world.lms.platform.gradebook.scores[course.link.line_item_id]
    return scores


def changes(course: Course, key: str) -> list[dict[str, Any]]:
    with course.world.services.sessions() as session:
        rows = session.scalars(select(ActivityChange.changes).order_by(ActivityChange.id))
        return [row[key] for row in rows if key in row]


def verbs(course: Course) -> Counter[str]:
    with course.world.services.engine.connect() as connection:
        return Counter(
            json.loads(payload)["verb"]["display"]["en-US"]
            for payload in outbox.payloads(connection, topic=TOPIC)
        )


def test_every_staff_tool_is_refused_to_learners_and_other_courses(
    course: Course, world: LtiWorld
) -> None:
    course.open("demo-learner-1")
    course.post("demo-learner-1", "/submission", text="mine")
    course.open("demo-teacher")

    def elsewhere(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {"id": "another-course", "title": "Elsewhere"}
        claims[CLAIM + "resource_link"] = {"id": "elsewhere-link"}

    outsider = world.tampered_launch("demo-teacher", elsewhere)
    assert outsider.status == 200, outsider.text
    course.sessions["outsider"] = (Browser(), outsider.meta("peerlearn-session"))
    learner = user_id(course, "demo-learner-1")
    tools: list[tuple[str, str, dict[str, str]]] = [
        ("GET", "/settings", {}),
        ("POST", "/settings", {"title": "Taken over"}),
        ("GET", "/reviews.csv", {}),
        ("POST", "/flags/1", {"decision": "uphold"}),
        ("POST", "/overrides", {"learner": str(learner), "component": "final", "value": "1"}),
        ("POST", "/overrides/remove", {"learner": str(learner), "component": "final"}),
        ("POST", "/allocations", {"submission": "1", "reviewer": str(learner)}),
        ("POST", "/allocations/1/remove", {}),
        ("POST", "/allocations/swap", {"first": "1", "second": "2"}),
    ]
    for method, path, fields in tools:
        for who, expected in (("demo-learner-1", 403), ("outsider", 404)):
            answer = (
                course.post(who, path, reason="because", **fields)
                if method == "POST"
                else course.get(who, path)
            )
            assert answer.status == expected, (who, path, answer.text)
    assert course.get("demo-teacher", "/settings").status == 200
    assert course.get("demo-teacher", "/reviews.csv").status == 200
    with world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ActivityChange)) == 0
        assert session.scalar(select(func.count()).select_from(GradeOverride)) == 0
        assert session.scalars(select(Activity.title)).one() == "Essay review"


def test_flags_upheld_and_dismissed_reach_the_gradebook(course: Course) -> None:
    harsh = released_course(course)
    scores = gradebook(course)
    assert scores["demo-learner-1"]["scoreGiven"] == 80  # 0.8 * median(100, 50) + 20
    feedback = course.get("demo-learner-1")
    received = re.findall(r'/received/(\d+)"', feedback.text)
    with course.world.services.sessions() as session:
        harsh_id = session.execute(
            select(Assessment.id)
            .join(Allocation, Allocation.id == Assessment.allocation_id)
            .where(Allocation.reviewer_id == user_id(course, harsh))
            .where(Assessment.id.in_([int(found) for found in received]))
        ).scalar_one()
    fair_id = next(int(found) for found in received if int(found) != harsh_id)
    for assessment, reason in ((harsh_id, "Unfair marks"), (fair_id, "Too short")):
        flagged = course.post("demo-learner-1", f"/received/{assessment}", flag_reason=reason)
        assert flagged.status == 200
    # An open flag: the grade waits for staff, in the LMS too.
    assert gradebook(course, hours=2)["demo-learner-1"]["gradingProgress"] == "PendingManual"
    dashboard = course.get("demo-teacher")
    assert "Unfair marks" in dashboard.text
    assert "Thin support." in dashboard.text  # the review's content is shown to decide
    assert f'data-flag="{harsh_id}"' in dashboard.text

    dismissed = course.post("demo-teacher", f"/flags/{fair_id}", decision="dismiss")
    assert dismissed.status == 200
    assert "Flag dismissed" in dismissed.text
    assert gradebook(course, hours=3)["demo-learner-1"]["gradingProgress"] == "PendingManual"
    upheld = course.post("demo-teacher", f"/flags/{harsh_id}", decision="uphold")
    assert upheld.status == 200
    assert "Flag upheld" in upheld.text
    scores = gradebook(course, hours=4)
    assert scores["demo-learner-1"]["gradingProgress"] == "FullyGraded"
    assert scores["demo-learner-1"]["scoreGiven"] == 100  # only the fair review counts

    again = course.post("demo-teacher", f"/flags/{harsh_id}", decision="dismiss")
    assert (again.status, again.error_code()) == (409, "flag_not_open")
    assert course.post("demo-teacher", "/flags/99999", decision="uphold").status == 404
    bad = course.post("demo-teacher", f"/flags/{fair_id}", decision="maybe")
    assert (bad.status, bad.error_code()) == (422, "form_invalid")
    with course.world.services.sessions() as session:
        hidden = session.get(Assessment, harsh_id)
        kept = session.get(Assessment, fair_id)
        assert hidden is not None
        assert kept is not None
        assert hidden.hidden_at is not None
        assert hidden.hidden_by == user_id(course, "demo-teacher")
        assert (kept.flagged_at, kept.hidden_at, kept.flag_reason) == (None, None, "Too short")
    decisions = [(item["assessment"], item["decision"]) for item in changes(course, "moderation")]
    assert decisions == [(fair_id, "dismissed"), (harsh_id, "upheld")]
    assert "Thin support." not in course.get("demo-learner-1").text  # hidden from the author


def test_an_override_wins_reaches_the_gradebook_and_can_be_removed(course: Course) -> None:
    released_course(course)
    assert gradebook(course)["demo-learner-2"]["scoreGiven"] == 100
    learner = str(user_id(course, "demo-learner-2"))
    refusals = [
        ({"component": "final", "value": "101", "reason": "x"}, 422, "override_range"),
        ({"component": "review", "value": "11", "reason": "x"}, 422, "override_range"),
        ({"component": "final", "value": "-1", "reason": "x"}, 422, "override_range"),
        ({"component": "final", "value": "50", "reason": ""}, 422, "form_invalid"),
        ({"component": "bonus", "value": "50", "reason": "x"}, 422, "form_invalid"),
        ({"component": "final", "value": "nan", "reason": "x"}, 422, "form_invalid"),
    ]
    for fields, status, code in refusals:
        refused = course.post("demo-teacher", "/overrides", learner=learner, **fields)
        assert (refused.status, refused.error_code()) == (status, code), fields
    teacher = str(user_id(course, "demo-teacher"))
    stranger = course.post(
        "demo-teacher", "/overrides", learner=teacher, component="final", value="5", reason="x"
    )
    assert (stranger.status, stranger.error_code()) == (404, "learner_not_found")
    with course.world.services.sessions() as session:
        assert session.scalar(select(func.count()).select_from(GradeOverride)) == 0

    for value in ("40", "55"):  # the second replaces the first
        done = course.post(
            "demo-teacher",
            "/overrides",
            learner=learner,
            component="final",
            value=value,
            reason="Plagiarised paragraph",
        )
        assert done.status == 200, done.text
        assert "Grade override saved" in done.text
    row = re.search(rf'<tr data-learner="{learner}">.*?</tr>', done.text, re.S)
    assert row is not None
    assert "✎ final 55 by" in row.group(0)
    assert "Plagiarised paragraph" in row.group(0)
    scores = gradebook(course, hours=2)
    assert scores["demo-learner-2"]["scoreGiven"] == 55
    assert scores["demo-learner-2"]["gradingProgress"] == "FullyGraded"
    with course.world.services.sessions() as session:
        stored = session.scalars(select(GradeOverride)).one()
        assert (stored.value, stored.by_user_id) == (55, int(teacher))

    removed = course.post("demo-teacher", "/overrides/remove", learner=learner, component="final")
    assert removed.status == 200
    assert gradebook(course, hours=3)["demo-learner-2"]["scoreGiven"] == 100
    again = course.post("demo-teacher", "/overrides/remove", learner=learner, component="final")
    assert (again.status, again.error_code()) == (404, "override_not_found")
    assert [item["value"] for item in changes(course, "override")] == [40.0, 55.0, None]


def _live(course: Course) -> dict[tuple[str, str], tuple[int, str, str]]:
    """(reviewer sub, author sub) -> (allocation id, state, source), removed ones left out."""
    with course.world.services.engine.connect() as connection:
        reviewer, author = User.__table__.alias(), User.__table__.alias()
        rows = connection.execute(
            select(
                reviewer.c.sub.label("reviewer"),
                author.c.sub.label("author"),
                Allocation.id,
                Allocation.state,
                Allocation.source,
            )
            .join(reviewer, reviewer.c.id == Allocation.reviewer_id)
            .join(Submission, Submission.id == Allocation.submission_id)
            .join(author, author.c.id == Submission.author_id)
            .where(Allocation.state != "removed", Allocation.kind == "peer")
        ).all()
    return {(row.reviewer, row.author): (row.id, row.state, row.source) for row in rows}


def _submission(course: Course, author: str) -> str:
    with course.world.services.sessions() as session:
        found = session.scalars(
            select(Submission.id).where(Submission.author_id == user_id(course, author))
        ).one()
    return str(found)


GROUPS = {"demo-learner-1": "A", "demo-learner-2": "A"}  # the others are in B


def _grouped_course(world: LtiWorld) -> Course:
    """Reviewers from other groups only; learners 1 and 2 share a group."""
    course = Course(world, group_policy="avoid-own-group")
    for learner in LEARNERS:
        course.open(learner)
        course.post(learner, "/submission", text=f"Essay by {learner}")
    with world.services.engine.begin() as connection:
        for learner in LEARNERS:
            connection.execute(
                update(Submission)
                .where(Submission.author_id == user_id(course, learner))
                .values(group_key=GROUPS.get(learner, "B"))
            )
    course.open("demo-teacher")
    assert course.post("demo-teacher", "/allocate").status == 200
    return course


def test_reviewers_are_added_removed_and_swapped_by_hand(world: LtiWorld) -> None:
    course = _grouped_course(world)
    before = _live(course)
    assert len(before) == 8
    assert ("demo-learner-2", "demo-learner-1") not in before  # the group rule held
    statements = verbs(course)["was assigned"]

    def add(reviewer: str, author: str, **extra: str) -> Any:
        return course.post(
            "demo-teacher",
            "/allocations",
            submission=_submission(course, author),
            reviewer=str(user_id(course, reviewer)),
            **extra,
        )

    existing = next(iter(before))
    refusals = [
        (add("demo-learner-1", "demo-learner-1"), 422, "self_review"),
        (add(*existing), 409, "duplicate"),
        (add("demo-learner-2", "demo-learner-1"), 422, "group_policy"),
        (add("demo-teacher", "demo-learner-1"), 422, "unknown_reviewer"),
    ]
    for refused, status, code in refusals:
        assert (refused.status, refused.error_code()) == (status, code), refused.text
    assert "group rule (avoid-own-group)" in refusals[2][0].text
    assert _live(course) == before
    assert changes(course, "allocation") == []
    assert verbs(course)["was assigned"] == statements

    added = add("demo-learner-2", "demo-learner-1", allow_group_override="true")
    assert added.status == 200, added.text
    assert "Reviewer added" in added.text
    after = _live(course)
    new_id, state, source = after[("demo-learner-2", "demo-learner-1")]
    assert (state, source) == ("assigned", "manual")
    assert verbs(course)["was assigned"] == statements + 1
    assert new_id in review_links(course.get("demo-learner-2").text)

    # A completed review stays; an open one can go.
    done_id = before[existing][0]
    reviewer_sub = existing[0]
    course.post(reviewer_sub, f"/reviews/{done_id}", action="submit", **FULL)
    refused = course.post("demo-teacher", f"/allocations/{done_id}/remove")
    assert (refused.status, refused.error_code()) == (409, "review_completed")
    removed = course.post("demo-teacher", f"/allocations/{new_id}/remove")
    assert removed.status == 200
    assert ("demo-learner-2", "demo-learner-1") not in _live(course)
    assert new_id not in review_links(course.get("demo-learner-2").text)
    assert course.post("demo-teacher", f"/allocations/{new_id}/remove").status == 404
    # Adding the same pair again revives its row (the pair is unique).
    assert add("demo-learner-2", "demo-learner-1", allow_group_override="true").status == 200
    assert _live(course)[("demo-learner-2", "demo-learner-1")][0] == new_id

    _swap_needs_the_group_override(course)
    kinds = [item["change"] for item in changes(course, "allocation")]
    assert kinds == ["AddAllocation", "RemoveAllocation", "AddAllocation", "SwapReviewers"]


def _swap_needs_the_group_override(course: Course) -> None:
    current = _live(course)
    swap = _a_swap(current)
    (first_reviewer, first_author), (second_reviewer, second_author) = swap
    ids = {"first": str(current[swap[0]][0]), "second": str(current[swap[1]][0])}
    # Every cross-group pair is taken, so any swap breaks the group rule.
    refused = course.post("demo-teacher", "/allocations/swap", **ids)
    assert (refused.status, refused.error_code()) == (422, "group_policy")
    assert _live(course) == current
    swapped = course.post("demo-teacher", "/allocations/swap", allow_group_override="true", **ids)
    assert swapped.status == 200, swapped.text
    assert "Reviewers swapped" in swapped.text
    after_swap = _live(course)
    assert swap[0] not in after_swap
    assert swap[1] not in after_swap
    assert after_swap[(second_reviewer, first_author)][2] == "manual"
    assert after_swap[(first_reviewer, second_author)][2] == "manual"
    self_swap = course.post(
        "demo-teacher",
        "/allocations/swap",
        first=str(current[swap[0]][0]),
        second=str(current[swap[0]][0]),
    )
    assert (self_swap.status, self_swap.error_code()) == (404, "allocation_not_found")


def _a_swap(
    live: dict[tuple[str, str], tuple[int, str, str]],
) -> tuple[tuple[str, str], tuple[str, str]]:
    """Two open allocations whose reviewers can trade (group rule aside)."""
    open_pairs = [pair for pair, (_id, state, _source) in live.items() if state != "completed"]
    for first in open_pairs:
        for second in open_pairs:
            (r1, a1), (r2, a2) = first, second
            if (
                len({r1, r2, a1, a2}) == 4  # four different people
                and (r2, a1) not in live
                and (r1, a2) not in live
            ):
                return first, second
    raise AssertionError("no possible swap in this allocation")


def _settings_form(course: Course, **changed: str) -> dict[str, str]:
    with course.world.services.sessions() as session:
        stored = session.scalars(select(Activity.settings)).one()
    return {**settings_to_values(settings_from_dict(stored)), **changed}


def test_settings_edits_follow_the_rules_and_are_recorded(course: Course) -> None:
    course.open("demo-teacher")
    page = course.get("demo-teacher", "/settings")
    assert page.status == 200
    assert 'value="Essay review"' in page.text
    assert "Strong | Clear claim, well supported" in page.text  # the rubric, as text
    assert re.search(r'id="f-submissions_due"[^>]*value="\d{4}-\d\d-\d\dT\d\d:\d\d"', page.text)
    unchanged = course.post("demo-teacher", "/settings", **_settings_form(course))
    assert "Nothing in the settings changed" in unchanged.text
    assert changes(course, "settings") == []

    submit_all(course)
    with course.world.services.sessions() as session:
        stored_before = session.scalars(select(Activity.settings)).one()
    earlier = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = course.post(
        "demo-teacher",
        "/settings",
        **_settings_form(course, submissions_due=earlier, allow_file="", title="Renamed"),
    )
    assert refused.status == 422
    assert 'id="error-submissions_due"' in refused.text
    assert 'id="error-allow_text"' in refused.text  # a submission type taken away
    invalid = course.post("demo-teacher", "/settings", **_settings_form(course, title=""))
    assert invalid.status == 422
    assert 'id="error-title"' in invalid.text
    with course.world.services.sessions() as session:
        assert session.scalars(select(Activity.settings)).one() == stored_before
        assert session.scalars(select(Activity.title)).one() == "Essay review"
    assert changes(course, "settings") == []

    saved = course.post(
        "demo-teacher",
        "/settings",
        **_settings_form(
            course, title="Essay review (revised)", score_maximum="50", instructions="Be kind."
        ),
    )
    assert saved.status == 200, saved.text
    assert "Settings saved" in saved.text
    with course.world.services.sessions() as session:
        activity = session.scalars(select(Activity)).one()
        assert activity.title == "Essay review (revised)"
        assert activity.score_maximum == 50
        assert settings_from_dict(activity.settings).instructions == "Be kind."
        audit = session.scalars(select(ActivityChange)).one()
        assert audit.changed_by == user_id(course, "demo-teacher")
    [recorded] = changes(course, "settings")
    assert {item["name"] for item in recorded} == {"title", "instructions", "score_maximum"}
    assert {"name": "score_maximum", "old": 100.0, "new": 50.0} in recorded
    column = course.world.lms.platform.gradebook.items[course.link.line_item_id]
    assert (column["label"], column["scoreMaximum"]) == ("Essay review (revised)", 50)


def test_reviews_export_names_everyone_and_neutralises_formulas(course: Course) -> None:
    released_course(course)
    received = re.findall(r'/received/(\d+)"', course.get("demo-learner-1").text)
    course.post(
        "demo-learner-1", f"/received/{received[0]}", helpfulness="2", flag_reason="=cmd|' /C'"
    )
    export = course.get("demo-teacher", "/reviews.csv")
    assert export.status == 200
    assert export.response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert rows[0] == [
        "submission author",
        "reviewer",
        "kind",
        "state",
        "points: argument",
        "points: clarity",
        "comments",
        "helpfulness",
        "flagged",
        "hidden",
    ]
    assert len(rows) == 1 + 8
    assert all(row[3] == "completed" for row in rows[1:])
    flagged = [row for row in rows[1:] if row[8]]
    assert len(flagged) == 1
    assert flagged[0][8] == "'=cmd|' /C'"
    assert flagged[0][7] == "2"
    assert {row[4] for row in rows[1:]} == {"4", "2"}
    assert any("argument: Thin support." in row[6] for row in rows[1:])
    names = {row[0] for row in rows[1:]} | {row[1] for row in rows[1:]}
    assert "Alan Turing" in names
