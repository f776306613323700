"""A peer review activity end to end against lti1p3platform: placed by deep linking,
submitted, allocated, reviewed, released, and graded in the platform's gradebook."""

from __future__ import annotations

import html
import json
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from lti_tool.demo.platform import DEMO_PEOPLE
from lti_tool.domain.peer_review.settings_form import SAMPLE_RUBRIC_TEXT
from lti_tool.learning_records.records import TOPIC
from lti_tool.outbox import store as outbox
from lti_tool.persistence.models import Activity, User
from lti_tool.persistence.peer_review_models import Allocation, Assessment
from tests.functional.conftest import LtiWorld
from tests.functional.test_deep_linking import add, picker, return_to_lms
from tests.functional.test_grades import worker
from tests.support.browser import Browser

PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"
LEARNERS = ("demo-learner-1", "demo-learner-2", "demo-learner-3", "demo-learner-4")
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class Course:
    """A placed peer review activity and everyone's browser sessions in it."""

    def __init__(self, world: LtiWorld, **settings: str) -> None:
        self.world = world
        browser, _page, token = picker(world)
        due = settings.pop(
            "submissions_due", (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
        )
        reviews_per_submission = settings.pop("reviews_per_submission", "2")
        back = add(
            browser,
            world,
            token,
            "peer-review",
            title="Essay review",
            instructions="Write 300 words on peer learning.",
            allow_text="on",
            allow_file="on",
            max_file_mb="1",
            submissions_due=due,
            reviews_per_submission=reviews_per_submission,
            rubric=SAMPLE_RUBRIC_TEXT,
            score_maximum="100",
            submission_weight="80",
            review_weight="20",
            then="return",
            **settings,
        )
        assert back.status == 200, back.text
        assert return_to_lms(browser, back).status == 200
        self.link = next(link for link in world.lms.platform.links.values() if link.line_item_id)
        with world.services.sessions() as session:
            self.activity_id = session.scalars(select(Activity.id)).one()
        self.sessions: dict[str, tuple[Browser, str]] = {}

    def open(self, person: str) -> str:
        browser, page = self.world.launch(person, link_id=self.link.id)
        assert page.status == 200, page.text
        self.sessions[person] = (browser, page.meta("peerlearn-session"))
        return page.text

    def url(self, path: str = "") -> str:
        return f"{self.world.tool_url}/app/peer-review/{self.activity_id}{path}"

    def get(self, person: str, path: str = "") -> Any:
        browser, token = self.sessions[person]
        sep = "&" if "?" in path else "?"
        return browser.get(self.url(path) + f"{sep}ls={token}")

    def upload(self, person: str, name: str, content: bytes, **fields: str) -> Any:
        _browser, token = self.sessions[person]
        return requests.post(
            self.url("/submission"),
            data={"ls": token, **fields},
            files={"files": (name, content, "application/octet-stream")},
            timeout=10,
        )

    def post(self, person: str, path: str, **fields: str) -> Any:
        browser, token = self.sessions[person]
        return browser.post(self.url(path), {"ls": token, **fields})


def review_links(page_text: str) -> list[int]:
    return [int(found) for found in re.findall(r'data-allocation="(\d+)"', page_text)]


@pytest.fixture
def course(world: LtiWorld) -> Course:
    return Course(world)


def verbs_recorded(world: LtiWorld) -> dict[str, int]:
    with world.services.engine.connect() as connection:
        return dict(
            Counter(
                json.loads(payload)["verb"]["display"]["en-US"]
                for payload in outbox.payloads(connection, topic=TOPIC)
            )
        )


def assert_argument_statistics(course: Course) -> None:
    """The dashboard's criterion table after eight reviews that all chose "Strong"."""
    criteria = course.get("demo-teacher").text
    argument = re.search(r'data-criterion="argument">(.*?)</tr>', criteria, re.S)[1]
    assert "<td>8</td>" in argument
    assert "4.0 / 4.0" in argument
    assert "Strong: 8" in argument


def test_the_whole_cycle_ends_in_the_lms_gradebook(course: Course) -> None:
    world = course.world
    for learner in LEARNERS:
        assert "You have not submitted yet." in course.open(learner)
        done = course.post(learner, "/submission", text=f"# My essay\n\nWritten by {learner}.")
        assert done.status == 200, done.text
        assert "Submitted (version 1)" in done.text
    course.open("demo-teacher")
    dashboard = course.get("demo-teacher")
    assert 'id="submitted-count">4<' in dashboard.text
    assert course.post("demo-teacher", "/allocate").status == 200

    for learner in LEARNERS:
        page = course.get(learner)
        tasks = review_links(page.text)
        assert len(tasks) == 2, page.text
        for allocation in tasks:
            form = course.get(learner, f"/reviews/{allocation}")
            assert form.status == 200
            assert "My essay" in form.text
            draft = course.post(learner, f"/reviews/{allocation}", **{"score-argument": "2"})
            assert draft.status == 200
            assert "Draft saved" in draft.text
            incomplete = course.post(
                learner, f"/reviews/{allocation}", action="submit", **{"score-argument": "2"}
            )
            assert incomplete.status == 422
            final = course.post(
                learner,
                f"/reviews/{allocation}",
                action="submit",
                **{
                    "score-argument": "4",
                    "comment-argument": "A clear claim, well supported.",
                    "score-clarity": "2",
                },
            )
            assert final.status == 200
            assert "Review submitted" in final.text

    assert_argument_statistics(course)
    assert course.post("demo-teacher", "/release").status == 200
    feedback = course.get("demo-learner-1")
    assert "Review 1" in feedback.text
    assert "Review 2" in feedback.text
    assert re.search(r'id="grade-value">100(\.0)?<', feedback.text), feedback.text

    feedback_ids = re.findall(r'/received/(\d+)"', feedback.text)
    assert len(feedback_ids) == 2
    rated = course.post(
        "demo-learner-1", f"/received/{feedback_ids[0]}", helpfulness="4", flag_reason="Rude"
    )
    assert rated.status == 200
    assert verbs_recorded(world) == {
        "launched": 5,
        "submitted": 4,
        "was assigned": 8,
        "reviewed": 8,
        "scored": 4,
        "rated": 1,
        "flagged": 1,
    }
    grades = worker(world)
    grades.clock = lambda: time.time() + 3600
    while grades.run_once():
        pass
    book = world.lms.platform.gradebook
    scores = book.scores[course.link.line_item_id]
    # The flag is open: the grades of demo-learner-1 and of the flagged review's author
    # wait for staff (see test_peer_review_staff).
    with world.services.sessions() as session:
        flagged_by = session.execute(
            select(User.sub)
            .join(Allocation, Allocation.reviewer_id == User.id)
            .join(Assessment, Assessment.allocation_id == Allocation.id)
            .where(Assessment.id == int(feedback_ids[0]))
        ).scalar_one()
    waiting = {"demo-learner-1", flagged_by}
    for learner in waiting:
        assert scores[learner]["gradingProgress"] == "PendingManual"
    for learner in set(LEARNERS) - waiting:
        assert scores[learner]["gradingProgress"] == "FullyGraded", scores[learner]
        assert scores[learner]["scoreGiven"] == 100
        assert scores[learner]["scoreMaximum"] == 100


def test_double_blind_pages_name_no_other_participant(course: Course) -> None:
    names = {person.id: person.name or "Anonymous" for person in DEMO_PEOPLE}
    for learner in LEARNERS:
        course.open(learner)
        sent = course.upload(
            learner, f"{names[learner]} essay.pdf", PDF, text=f"Essay by {learner}"
        )
        assert sent.status_code == 200, sent.text
    course.open("demo-teacher")
    course.post("demo-teacher", "/allocate")
    me = "demo-learner-1"
    for allocation in review_links(course.get(me).text):
        course.post(
            me,
            f"/reviews/{allocation}",
            action="submit",
            **{"score-argument": "2", "comment-argument": "ok", "score-clarity": "1"},
        )
    for learner in LEARNERS[1:]:
        for allocation in review_links(course.get(learner).text):
            course.post(
                learner,
                f"/reviews/{allocation}",
                action="submit",
                **{"score-argument": "4", "comment-argument": "fine", "score-clarity": "2"},
            )
    course.post("demo-teacher", "/release")

    others = [person for person in DEMO_PEOPLE if person.id != me]
    forbidden = set()
    for person in others:
        forbidden |= {person.id, person.email or "", person.name or ""}
        forbidden |= {person.given_name or "", person.family_name or ""}
    forbidden.discard("")
    pages = [course.get(me)]
    pages += [course.get(me, f"/reviews/{a}") for a in review_links(pages[0].text)]
    downloads = [
        course.get(me, f"/files/{file_id}")
        for page in pages[1:]
        for file_id in re.findall(r'data-file="(\d+)"', page.text)
    ]
    assert len(downloads) == 2
    for download in downloads:
        assert download.status == 200
        assert download.response.content == PDF
        disposition = download.response.headers["Content-Disposition"]
        assert disposition == "attachment; filename=submission.pdf", disposition
        assert download.response.headers["X-Content-Type-Options"] == "nosniff"
    pages.append(course.world.launch(me, link_id=course.link.id)[1])
    for page in pages:
        assert page.status == 200
        text = page.text.replace(course.link.id, "")
        for secret in forbidden:
            # Essays were written "by <sub>": what a learner writes is theirs to reveal;
            # here the submissions are the only place a sub may appear.
            visible = re.sub(r"Essay by demo-learner-\d", "", text)
            assert secret not in visible, (secret, page.url)


def test_who_may_do_what(course: Course, world: LtiWorld) -> None:
    course.open("demo-learner-1")
    course.post("demo-learner-1", "/submission", text="mine")
    course.open("demo-learner-2")
    course.open("demo-teacher")

    def elsewhere(claims: dict[str, Any]) -> None:
        claims[CLAIM + "context"] = {"id": "another-course", "title": "Elsewhere"}
        claims[CLAIM + "resource_link"] = {"id": "elsewhere-link"}

    outsider = world.tampered_launch("demo-learner-3", elsewhere)
    course.sessions["outsider"] = (Browser(), outsider.meta("peerlearn-session"))

    staff_only = [("POST", "/allocate"), ("POST", "/release"), ("GET", "/grades.csv")]
    for method, path in staff_only:
        for learner in ("demo-learner-1", "outsider"):
            call = course.post if method == "POST" else course.get
            expected = 404 if learner == "outsider" else 403
            assert call(learner, path).status == expected, (learner, path)
    csv = course.get("demo-teacher", "/grades.csv")
    assert csv.status == 200
    assert csv.text.startswith("learner,")
    assert course.post("demo-teacher", "/submission", text="staff work").status == 403
    for path in ("", "/reviews/1", "/files/1"):
        assert course.get("outsider", path).status == 404, path
    assert course.post("outsider", "/submission", text="x").status == 404
    # A learner cannot open another learner's review or file.
    assert course.get("demo-learner-2", "/reviews/1").status == 404
    assert course.post("demo-learner-2", "/received/1", helpfulness="5").status == 404


def test_uploads_are_judged_by_content_and_size(course: Course) -> None:
    course.open("demo-learner-1")
    refusals = {
        "file_type": ("essay.pdf", b"MZ\x90\x00 a program, not a PDF"),
        "file_empty": ("empty.pdf", b""),
        "file_too_large": ("big.pdf", b"%PDF-1.4\n" + b"0" * 1_100_000),
    }
    for code, (name, content) in refusals.items():
        refused = course.upload("demo-learner-1", name, content)
        assert refused.status_code == 400, (code, refused.text)
        assert f"<code>{code}</code>" in refused.text
    stored = list(course.world.services.settings.files_dir.rglob("*"))
    assert [path for path in stored if path.is_file()] == []
    assert "You have not submitted yet." in course.get("demo-learner-1").text
    traversal = course.upload("demo-learner-1", "../../../etc/passwd.pdf", PDF)
    assert traversal.status_code == 200
    assert "passwd.pdf" in course.get("demo-learner-1").text


def test_reviews_are_allocated_once_submissions_are_due(course: Course) -> None:
    from lti_tool.peer_review.scheduler import allocate_due  # noqa: PLC0415

    engine = course.world.services.engine
    course.open("demo-learner-1")
    course.post("demo-learner-1", "/submission", text="first")
    later = datetime.now(UTC) + timedelta(days=8)
    assert allocate_due(engine, now=datetime.now(UTC)) == 0  # not due yet
    assert allocate_due(engine, now=later) == 0  # due, but one submission has no reviewer
    for learner in LEARNERS[1:]:
        course.open(learner)
        course.post(learner, "/submission", text=f"by {learner}")
    assert allocate_due(engine, now=later) == 1
    assert allocate_due(engine, now=later) == 0  # once
    assert len(review_links(course.get("demo-learner-1").text)) == 2
    late = course.post("demo-learner-2", "/submission", text="changed my mind")
    assert late.status == 409  # work is with its reviewers now


def test_submission_review_from_the_gradebook(course: Course) -> None:
    world = course.world
    for learner in LEARNERS:
        course.open(learner)
        course.post(learner, "/submission", text=f"Work of {learner}")
    course.open("demo-teacher")
    course.post("demo-teacher", "/allocate")

    def review_of(sub: str) -> Any:
        def mutate(claims: dict[str, Any]) -> None:
            claims[CLAIM + "message_type"] = "LtiSubmissionReviewRequest"
            claims[CLAIM + "for_user"] = {"user_id": sub}

        return mutate

    page = world.tampered_launch(
        "demo-teacher", review_of("demo-learner-2"), link_id=course.link.id
    )
    assert page.status == 200, page.text
    assert 'id="learner">Alan Turing<' in page.text
    assert "Work of demo-learner-2" in page.text
    assert len(re.findall(r"<li>Submission [A-Z]: ", page.text)) == 2  # the two Alan gives
    refused = world.tampered_launch(
        "demo-learner-1", review_of("demo-learner-2"), link_id=course.link.id
    )
    assert refused.status == 403


def test_groups_set_by_staff_keep_group_mates_apart(world: LtiWorld) -> None:
    course = Course(world, group_policy="avoid-own-group")
    for learner in LEARNERS:
        course.open(learner)
    course.open("demo-teacher")
    with world.services.engine.connect() as connection:
        ids = dict(connection.execute(select(User.sub, User.id)).all())
    teams = {"demo-learner-1": "red", "demo-learner-2": "red"}
    teams |= {"demo-learner-3": "blue", "demo-learner-4": "blue"}
    fields = {f"group-{ids[sub]}": team for sub, team in teams.items()}
    saved = course.post("demo-teacher", "/groups", **fields)
    assert saved.status == 200
    assert "Groups saved." in saved.text
    outsider = course.post("demo-teacher", "/groups", **{"group-999999": "x"})
    assert outsider.status == 400
    assert course.post("demo-learner-1", "/groups", **fields).status == 403
    for learner in LEARNERS:
        course.post(learner, "/submission", text=f"Work of {learner}")
    assert course.post("demo-teacher", "/allocate").status == 200
    for learner in LEARNERS:
        reviewed = {
            re.search(r"Work of (demo-learner-\d)", course.get(learner, f"/reviews/{a}").text)[1]
            for a in review_links(course.get(learner).text)
        }
        assert {teams[author] for author in reviewed} == {
            "blue" if teams[learner] == "red" else "red"
        }


def test_reviewing_graded_in_its_own_gradebook_column(world: LtiWorld) -> None:
    course = Course(world, grade_lines="separate", review_score_maximum="10")
    for learner in LEARNERS:
        course.open(learner)
        course.post(learner, "/submission", text=f"Work of {learner}")
    course.open("demo-teacher")
    course.post("demo-teacher", "/allocate")
    for learner in LEARNERS[:3]:  # the fourth learner reviews nothing
        for allocation in review_links(course.get(learner).text):
            course.post(
                learner,
                f"/reviews/{allocation}",
                action="submit",
                **{"score-argument": "4", "comment-argument": "ok", "score-clarity": "2"},
            )
    assert course.post("demo-teacher", "/release").status == 200
    grades = worker(world)
    grades.clock = lambda: time.time() + 3600
    while grades.run_once():
        pass
    book = world.lms.platform.gradebook
    tag = "peer-review-reviewing"
    [reviewing] = [key for key, item in book.items.items() if item.get("tag") == tag]
    assert book.items[reviewing]["scoreMaximum"] == 10
    scores = book.scores[reviewing]
    assert scores["demo-learner-1"]["scoreGiven"] == 10
    assert scores["demo-learner-4"]["scoreGiven"] == 0  # assigned two, wrote none
    assert book.scores[course.link.line_item_id]["demo-learner-1"]["scoreMaximum"] == 100
    assert course.post("demo-teacher", "/release").status == 200  # again: same column
    assert sum(item.get("tag") == tag for item in book.items.values()) == 1


def test_the_picker_offers_calibration(world: LtiWorld) -> None:
    browser, _page, token = picker(world)
    form = browser.get(f"{world.tool_url}/app/deep-linking/peer-review?ls={token}")
    assert form.status == 200
    assert 'name="rubric"' in form.text
    for name in ("calibration", "calibration_examples", "calibration_weight"):
        assert f'name="{name}"' in form.text, name


def test_a_rubric_saved_in_the_library_places_the_next_activity(world: LtiWorld) -> None:
    course = Course(world)
    course.open("demo-teacher")
    course.open("demo-learner-1")
    assert "No rubric saved" in course.get("demo-teacher", "/rubrics").text
    assert course.post("demo-learner-1", "/rubrics", title="Mine").status == 403
    assert course.post("demo-teacher", "/rubrics", title="  ").status == 400
    saved = course.post("demo-teacher", "/rubrics", title="Essay rubric")
    assert saved.status == 200
    assert "Essay rubric" in saved.text
    text = html.unescape(re.search(r"<pre>(.*?)</pre>", saved.text, re.S)[1])
    assert text.startswith("Argument")

    browser, _page, token = picker(world)
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    second = add(
        browser, world, token, "peer-review", title="Second essay", allow_text="on",
        submissions_due=due, rubric=text, score_maximum="100", then="return",
    )  # fmt: skip
    assert return_to_lms(browser, second).status == 200
    with world.services.sessions() as session:
        first, other = session.scalars(select(Activity).order_by(Activity.id)).all()
    assert other.settings["rubric"] == first.settings["rubric"]

    rubric_id = re.search(r'data-rubric="(\d+)"', saved.text)[1]
    assert course.post("demo-teacher", "/rubrics", remove=rubric_id).status == 200
    assert "No rubric saved" in course.get("demo-teacher", "/rubrics").text
    assert course.post("demo-teacher", "/rubrics", remove=rubric_id).status == 404
