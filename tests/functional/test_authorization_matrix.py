"""Who may use each endpoint, for every rule of the app's URL map in scope.

The scope is every rule of a blueprint named in ``BLUEPRINT_PREFIXES`` and every rule
under a path in ``PATH_PREFIXES``. Each endpoint in scope must have a row in ``MAY``
(the test fails otherwise, so a new endpoint has to be classified), naming the people
who get past authorisation; everyone else must be refused. To cover a new feature, add
its blueprint prefix (``"library"`` is there already), its rows, and a value for any
new URL parameter in ``Scenario.url_values``.

Refused means 401 or 403, or 404 with ``activity_not_found`` (another course's activity
is not acknowledged to exist). Anything else is "let in": a 2xx/3xx page, or a 4xx about
the request itself (a form mistake, an object of the course that is gone).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from lti_tool.demo.web import register_platform
from lti_tool.library import comments
from lti_tool.library import requests as topic_requests
from lti_tool.library.access import CourseViewer
from lti_tool.persistence.library_models import LibraryAttachment, LibraryNotification
from lti_tool.persistence.models import Activity, User
from lti_tool.persistence.peer_review_models import (
    Allocation,
    Assessment,
    CalibrationExample,
    Submission,
    SubmissionFile,
    SubmissionVersion,
)
from tests.functional.conftest import LtiWorld
from tests.functional.test_deep_linking import picker
from tests.functional.test_peer_review import CLAIM, PDF, Course
from tests.support.browser import Browser
from tests.support.servers import running_lms

BLUEPRINT_PREFIXES = ("peer_review", "library")
PATH_PREFIXES = ("/app",)

# The people asking. Each course-scoped "other" is staff where they are, the strongest
# case: teaching somewhere must not open anything here.
LEARNER = "learner of the course"
STAFF = "staff of the course"
PICKER = "staff in the course's activity picker"
OTHER_COURSE = "staff of another course, same LMS"
OTHER_PLATFORM = "staff of a course on another LMS"
NOBODY = "no session"
EVERYONE = frozenset({LEARNER, STAFF, PICKER, OTHER_COURSE, OTHER_PLATFORM, NOBODY})

COURSE_STAFF = frozenset({STAFF, PICKER})
COURSE_MEMBERS = COURSE_STAFF | {LEARNER}
# Pages about the session's own course or person: each launched person reaches theirs.
ANY_LAUNCH = EVERYONE - {NOBODY}
ANY_STAFF = ANY_LAUNCH - {LEARNER}
NO_ONE: frozenset[str] = frozenset()

MAY: dict[str, frozenset[str]] = {
    # Peer review, learner side (staff get the dashboard on the activity page).
    "peer_review.activity_page": COURSE_MEMBERS,
    "peer_review.submit": frozenset({LEARNER}),
    "peer_review.download": COURSE_MEMBERS,
    "peer_review.review": frozenset({LEARNER}),
    "peer_review.take_next": frozenset({LEARNER}),
    "peer_review.offer_to_review": frozenset({LEARNER}),
    "peer_review.rate_review": frozenset({LEARNER}),
    "peer_review.calibrate": frozenset({LEARNER}),
    "peer_review.calibration_attempt": frozenset({LEARNER}),
    # Peer review, staff side.
    "peer_review.allocate_now": COURSE_STAFF,
    "peer_review.release_now": COURSE_STAFF,
    "peer_review.export_grades": COURSE_STAFF,
    "peer_review.export_reviews": COURSE_STAFF,
    "peer_review.edit_groups": COURSE_STAFF,
    "peer_review.rubrics": COURSE_STAFF,
    "peer_review.use_lms_groups": COURSE_STAFF,
    "peer_review.calibration_examples": COURSE_STAFF,
    "peer_review.calibration_example": COURSE_STAFF,
    "peer_review.move_calibration_example": COURSE_STAFF,
    "peer_review.remove_calibration_example": COURSE_STAFF,
    "peer_review.edit_settings": COURSE_STAFF,
    "peer_review.add_reviewer": COURSE_STAFF,
    "peer_review.remove_allocation": COURSE_STAFF,
    "peer_review.swap_reviewers": COURSE_STAFF,
    "peer_review.decide_flag": COURSE_STAFF,
    "peer_review.set_override": COURSE_STAFF,
    "peer_review.remove_override": COURSE_STAFF,
    # The activity picker: only a staff deep-linking session.
    "lti.picker": frozenset({PICKER}),
    "lti.picker_form": frozenset({PICKER}),
    "lti.picker_add": frozenset({PICKER}),
    "lti.picker_cancel": frozenset({PICKER}),
    "lti.picker_finish": frozenset({PICKER}),
    # The session's own course and person.
    "courses.home": ANY_LAUNCH,
    "courses.profile": ANY_LAUNCH,
    "courses.save_profile": ANY_LAUNCH,
    "courses.show_roster": ANY_STAFF,
    "courses.sync_roster": ANY_STAFF,
    "courses.learning_records_status": NO_ONE,  # operators only (a separate token)
    # The course library's authoring pages. The scenario's item is published by another
    # learner, with one file: course members read it, only staff (and its author) change
    # it; anyone launched in a course writes and lists in their own course.
    "library.new_item": ANY_LAUNCH,
    "library.create_item": ANY_LAUNCH,
    "library.mine": ANY_LAUNCH,
    "library.item": COURSE_MEMBERS,
    "library.edit_item": COURSE_STAFF,
    "library.save_item": COURSE_STAFF,
    "library.publish_item": COURSE_STAFF,
    "library.delete_item": COURSE_STAFF,
    "library.history": COURSE_STAFF,
    "library.history_version": COURSE_STAFF,
    "library.restore_version": COURSE_STAFF,
    "library.upload_files": COURSE_STAFF,
    "library.remove_file": COURSE_STAFF,
    "library.download": COURSE_MEMBERS,
    # Library moderation and sharing: a course's items and comments, flagged by members,
    # decided and shared by its staff; each course has its own queue and policy.
    "library.flag_item_form": COURSE_MEMBERS,
    "library.flag_item": COURSE_MEMBERS,
    "library.flag_comment_form": COURSE_MEMBERS,
    "library.flag_comment": COURSE_MEMBERS,
    "library.queue": ANY_STAFF,
    "library.policy": ANY_STAFF,
    "library.save_policy": ANY_STAFF,
    "library.review_item": COURSE_STAFF,
    "library.decide_item": COURSE_STAFF,
    "library.decide_comment": COURSE_STAFF,
    "library.share_page": COURSE_STAFF,
    "library.share": COURSE_STAFF,
    "library.unshare": COURSE_STAFF,
    # The course library's index: each launched person reads their own course's library.
    "library.index": ANY_LAUNCH,
    "library.following": ANY_LAUNCH,
    # Library, social learning: acts on an item or a request of the course, and pages
    # about the session's own course (feed, notifications, requests, follows).
    "library.discussion": COURSE_MEMBERS,  # leads to the item page
    "library.add_comment": COURSE_MEMBERS,
    "library.edit_comment": frozenset({LEARNER}),  # the comment's author
    "library.delete_comment": frozenset({LEARNER}),
    "library.helpful": COURSE_MEMBERS,  # not the item's author (demo-learner-2)
    "library.rate": COURSE_MEMBERS,
    "library.follow": ANY_LAUNCH,
    "library.feed": ANY_LAUNCH,
    "library.notifications": ANY_LAUNCH,
    "library.unread": ANY_LAUNCH,
    "library.read_notification": frozenset({LEARNER}),  # the notified person
    "library.read_all": ANY_LAUNCH,
    "library.requests": ANY_LAUNCH,
    "library.propose": ANY_LAUNCH,
    "library.upvote": COURSE_MEMBERS,
    "library.volunteer": COURSE_MEMBERS,
    "library.answer": COURSE_MEMBERS,
    "library.hide": COURSE_STAFF,
    "library.restore": COURSE_STAFF,
}


def in_scope(rule: Any) -> bool:
    blueprint = rule.endpoint.rpartition(".")[0]
    return blueprint.startswith(BLUEPRINT_PREFIXES) or any(
        rule.rule == prefix or rule.rule.startswith(prefix + "/") for prefix in PATH_PREFIXES
    )


@dataclass
class Scenario:
    """A course with work in every state the URLs name, and everyone's sessions."""

    world: LtiWorld
    course: Course
    sessions: dict[str, tuple[Browser, str]]
    url_values: dict[str, str]


def _id_of(world: LtiWorld, query: Any) -> str:
    with world.services.sessions() as session:
        return str(session.execute(query.limit(1)).scalar_one())


def _elsewhere(claims: dict[str, Any]) -> None:
    claims[CLAIM + "context"] = {"id": "another-course", "title": "Elsewhere"}
    claims[CLAIM + "resource_link"] = {"id": "elsewhere-link"}


def _calibration_example(world: LtiWorld, activity_id: int) -> str:
    """One teacher-assessed example, with calibration on, so its pages exist."""
    with world.services.sessions() as session, session.begin():
        activity = session.get(Activity, activity_id)
        assert activity is not None
        activity.settings = {**activity.settings, "calibration": True, "calibration_examples": 1}
        example = CalibrationExample(
            activity_id=activity_id,
            title="A worked example",
            text_html="<p>Example</p>",
            scores={"argument": 3, "clarity": 1},
        )
        session.add(example)
        session.flush()
        return str(example.id)


def _library_item(world: LtiWorld, token: str) -> dict[str, str]:
    """A published library item of another learner with one file and a comment (staff
    deleting it, late in the run, leaves the rest answering "deleted": a request about an
    object that is gone)."""
    made = requests.post(
        f"{world.tool_url}/app/library/new",
        data={"ls": token, "kind": "file", "title": "Matrix item"},
        allow_redirects=False,
        timeout=30,
    )
    key = re.search(r"/items/([0-9a-f-]{36})/edit", made.headers["Location"])
    assert key is not None, made.text
    sent = requests.post(
        f"{world.tool_url}/app/library/items/{key.group(1)}/files",
        data={"ls": token},
        files=[("files", ("a.pdf", PDF, "application/pdf"))],
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code == 303, sent.text
    published = requests.post(
        f"{world.tool_url}/app/library/items/{key.group(1)}/publish",
        data={"ls": token},
        allow_redirects=False,
        timeout=30,
    )
    assert published.status_code == 303, published.text
    return {
        "key": key.group(1),
        "number": "1",
        "attachment_id": _id_of(world, select(LibraryAttachment.id)),
    }


def _library_social(world: LtiWorld, learner_token: str, item: str) -> dict[str, str]:
    """On the item of demo-learner-2: the learner's comment, the author's reply (a
    notification for the learner), and a request."""
    launch = world.services.launch_sessions.read(learner_token)
    assert launch.context_id is not None
    with world.services.engine.begin() as connection:
        author = connection.execute(
            select(User.id).where(
                User.sub == "demo-learner-2", User.platform_id == world.platform_id
            )
        ).scalar_one()
        learner = CourseViewer(launch.user_id, launch.context_id)
        peer = CourseViewer(author, launch.context_id)
        comment = comments.add_comment(connection, learner, item_key=item, markdown="Mine")
        comments.add_comment(connection, peer, item_key=item, markdown="Yes", reply_to=comment)
        request = topic_requests.propose(connection, peer, title="Please explain")
        notification = connection.execute(
            select(LibraryNotification.id).where(LibraryNotification.user_id == learner.user_id)
        ).scalar_one()
    return {
        "comment_id": str(comment),
        "request_id": str(request),
        "notification_id": str(notification),
    }


def build_scenario(world: LtiWorld, tmp_path: Path) -> Iterator[Scenario]:
    course = Course(world, reviews_per_submission="1")
    for learner in ("demo-learner-1", "demo-learner-2"):
        course.open(learner)
        uploaded = course.upload(learner, "essay.pdf", PDF)
        assert uploaded.status_code == 200, uploaded.text
    course.open("demo-teacher")
    assert course.post("demo-teacher", "/allocate").status == 200
    with world.services.sessions() as session:
        learner = session.scalars(select(User.id).where(User.sub == "demo-learner-1")).one()
    allocation = _id_of(world, select(Allocation.id).where(Allocation.reviewer_id == learner))
    done = course.post(
        "demo-learner-2",
        f"/reviews/{_id_of(world, select(Allocation.id).where(Allocation.reviewer_id != learner))}",
        action="submit",
        **{"score-argument": "4", "comment-argument": "Clear.", "score-clarity": "2"},
    )
    assert done.status == 200, done.text
    sessions = {
        LEARNER: course.sessions["demo-learner-1"],
        STAFF: course.sessions["demo-teacher"],
        NOBODY: (Browser(), ""),
    }
    browser, _page, token = picker(world)
    sessions[PICKER] = (browser, token)
    outsider = world.tampered_launch("demo-teacher", _elsewhere)
    assert outsider.status == 200, outsider.text
    sessions[OTHER_COURSE] = (Browser(), outsider.meta("peerlearn-session"))
    with running_lms(tool_base_url=world.tool_url, key_dir=tmp_path, client_id="other") as lms:
        platform_id = register_platform(world.services.sessions, lms.platform)
        other = LtiWorld(world.tool_url, world.app, lms, platform_id)
        _browser, page = other.launch("demo-teacher")
        assert page.status == 200, page.text
        sessions[OTHER_PLATFORM] = (Browser(), page.meta("peerlearn-session"))
        url_values = {
            "activity_id": str(course.activity_id),
            "allocation_id": allocation,
            "file_id": _id_of(
                world,
                select(SubmissionFile.id)
                .join(SubmissionVersion, SubmissionVersion.id == SubmissionFile.version_id)
                .join(Submission, Submission.id == SubmissionVersion.submission_id)
                .where(Submission.author_id == learner),
            ),
            "assessment_id": _id_of(world, select(Assessment.id)),
            "kind_key": "peer-review",
            "example_id": _calibration_example(world, course.activity_id),
            **(item := _library_item(world, course.sessions["demo-learner-2"][1])),
            **_library_social(world, sessions[LEARNER][1], item["key"]),
        }
        yield Scenario(world, course, sessions, url_values)


@pytest.fixture
def scenario(world: LtiWorld, tmp_path: Path) -> Iterator[Scenario]:
    yield from build_scenario(world, tmp_path / "other-lms")


# 404 codes that mean "not yours to know of" (another course's activity, or any library
# object); other 404s are about the request (such as library_deleted: an item or comment of the
# viewer's own course that is gone).
NOT_ACKNOWLEDGED = frozenset({"activity_not_found", "library_not_found"})


def refused(status: int, text: str) -> bool:
    code = re.search(r"Error <code>([a-z_0-9]+)</code>", text)
    return status in {401, 403} or (
        status == 404 and code is not None and code.group(1) in NOT_ACKNOWLEDGED
    )


def test_every_endpoint_in_scope_is_classified(world: LtiWorld) -> None:
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules() if in_scope(rule)}
    unclassified = endpoints - set(MAY)
    assert not unclassified, f"add these to MAY in {__file__}: {sorted(unclassified)}"
    registered = {name.rpartition(".")[0] for name in world.app.view_functions}
    stale = {name for name in set(MAY) - endpoints if name.rpartition(".")[0] in registered}
    assert not stale, f"these rows name no endpoint: {sorted(stale)}"
    assert all(people <= EVERYONE for people in MAY.values())


def test_each_person_gets_the_expected_outcome_on_every_endpoint(scenario: Scenario) -> None:
    world = scenario.world
    requests = []
    for rule in sorted(world.app.url_map.iter_rules(), key=lambda found: found.rule):
        if not in_scope(rule):
            continue
        missing = set(rule.arguments) - set(scenario.url_values)
        assert not missing, f"give Scenario.url_values a value for {sorted(missing)}"
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", scenario.url_values[name], path)
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        requests.extend((rule.endpoint, method, path) for method in methods)
    # Those who must be refused go first, so nothing the others do can hide a hole.
    ordered = sorted(
        ((endpoint, method, path, who) for endpoint, method, path in requests for who in EVERYONE),
        key=lambda item: item[3] in MAY[item[0]],
    )
    wrong = []
    for endpoint, method, path, who in ordered:
        browser, token = scenario.sessions[who]
        url = f"{world.tool_url}{path}"
        if method == "GET":
            answer = browser.get(f"{url}?ls={token}", follow=False)
        else:
            answer = browser.post(url, {"ls": token}, follow=False)
        assert answer.status < 500, (endpoint, method, who, answer.text)
        expected = "let in" if who in MAY[endpoint] else "refused"
        found = "refused" if refused(answer.status, answer.text) else "let in"
        if found != expected:
            wrong.append(f"{method} {path} ({endpoint}) as {who}: {answer.status}, {expected=}")
    assert not wrong, "\n".join(wrong)
