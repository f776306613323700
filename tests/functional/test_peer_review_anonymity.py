"""Anonymity crawls for the reviewer-anonymous and open modes (double-blind has its own in
test_peer_review.py): every page, download and xAPI statement a learner can reach, with
exactly the names the mode allows and no other."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import select

from lti_tool.demo.platform import DEMO_PEOPLE
from lti_tool.learning_records.records import TOPIC
from lti_tool.outbox import store as outbox
from lti_tool.persistence.models import User
from lti_tool.persistence.peer_review_models import Allocation, Submission
from tests.functional.conftest import LtiWorld
from tests.functional.test_peer_review import LEARNERS, PDF, Course, review_links

ME = "demo-learner-1"
PEOPLE = {person.id: person for person in DEMO_PEOPLE}


def shown_name(sub: str) -> str:
    return PEOPLE[sub].name or "Anonymous participant"


def identifiers(sub: str) -> set[str]:
    person = PEOPLE[sub]
    found = {sub, person.email, person.name, person.given_name, person.family_name}
    return {item for item in found if item}


@dataclass(frozen=True)
class Crawl:
    activity: str  # the learner's activity page
    reviews: dict[str, str]  # author sub -> the review page of their work
    downloads: list[tuple[str, bytes]]  # (Content-Disposition, body)
    statements: list[str]  # the learner's own xAPI statements, as JSON
    reviewed_me: set[str]  # subs of those who reviewed ME's work


def section(page: str, name: str) -> str:
    found = re.search(rf'<section class="card" id="{name}">(.*?)</section>', page, re.S)
    assert found, name
    return found[1]


def without_essays(text: str) -> str:
    # What a learner writes is theirs to reveal: the essays say "Essay by <sub>".
    return re.sub(r"Essay by demo-learner-\d", "", text)


def run_and_crawl(world: LtiWorld, anonymity: str) -> Crawl:
    course = Course(world, anonymity=anonymity)
    for learner in LEARNERS:
        course.open(learner)
        sent = course.upload(
            learner, f"{shown_name(learner)} essay.pdf", PDF, text=f"Essay by {learner}"
        )
        assert sent.status_code == 200, sent.text
    course.open("demo-teacher")
    assert course.post("demo-teacher", "/allocate").status == 200
    for learner in LEARNERS:
        for allocation in review_links(course.get(learner).text):
            done = course.post(
                learner,
                f"/reviews/{allocation}",
                action="submit",
                **{"score-argument": "4", "comment-argument": "ok", "score-clarity": "2"},
            )
            assert "Review submitted" in done.text
    assert course.post("demo-teacher", "/release").status == 200
    with world.services.engine.connect() as connection:
        subs = dict(connection.execute(select(User.id, User.sub)).all())
        pairs = connection.execute(
            select(Allocation.id, Allocation.reviewer_id, Submission.author_id).join(
                Submission, Submission.id == Allocation.submission_id
            )
        ).all()
        payloads = list(outbox.payloads(connection, topic=TOPIC))
    authors = {allocation: subs[author] for allocation, _reviewer, author in pairs}
    page = course.get(ME)
    assert page.status == 200
    reviews, downloads = {}, []
    for allocation in review_links(page.text):
        review = course.get(ME, f"/reviews/{allocation}")
        assert review.status == 200
        reviews[authors[allocation]] = review.text
        for file_id in re.findall(r'data-file="(\d+)"', review.text):
            got = course.get(ME, f"/files/{file_id}")
            assert got.status == 200
            downloads.append((got.response.headers["Content-Disposition"], got.response.content))
    launched = course.world.launch(ME, link_id=course.link.id)[1]
    assert launched.status == 200
    mine = [p for p in payloads if json.loads(p)["actor"]["account"]["name"] == ME]
    assert mine  # submitted, was assigned, reviewed, rated...
    return Crawl(
        activity=page.text + launched.text,
        reviews=reviews,
        downloads=downloads,
        statements=mine,
        reviewed_me={subs[reviewer] for _a, reviewer, author in pairs if subs[author] == ME},
    )


def test_reviewer_anonymous_shows_authors_to_reviewers_and_nobody_to_authors(
    world: LtiWorld,
) -> None:
    crawl = run_and_crawl(world, "reviewer-anonymous")
    others = [sub for sub in PEOPLE if sub != ME]
    assert crawl.reviewed_me
    assert crawl.reviews

    # The reviewer sees the author of each piece of work, and only that author.
    for author, page in crawl.reviews.items():
        assert f"Work by {shown_name(author)}" in page
        for other in others:
            if other != author:
                for secret in identifiers(other):
                    assert secret not in without_essays(page), (secret, author)
    to_review = section(crawl.activity, "to-review")
    named = set(re.findall(r'class="author-name">by (.*?)<', to_review))
    assert named == {shown_name(author) for author in crawl.reviews}

    # The author never learns who reviewed them: not in the feedback, and nowhere
    # else on the page except as an author the learner reviews themselves.
    feedback = section(crawl.activity, "feedback")
    assert "Review 1" in feedback
    assert "reviewer-name" not in crawl.activity
    for reviewer in crawl.reviewed_me:
        for secret in identifiers(reviewer):
            assert secret not in without_essays(feedback), secret
            if reviewer not in crawl.reviews:
                assert secret not in without_essays(crawl.activity), secret
    for other in others:
        for secret in identifiers(other):
            assert all(secret not in statement for statement in crawl.statements), secret
    assert crawl.downloads
    for disposition, body in crawl.downloads:
        assert disposition == "attachment; filename=submission.pdf"
        assert body == PDF


def test_open_shows_names_both_ways(world: LtiWorld) -> None:
    crawl = run_and_crawl(world, "open")
    for author, page in crawl.reviews.items():
        assert f"Work by {shown_name(author)}" in page
    feedback = section(crawl.activity, "feedback")
    named = set(re.findall(r'class="reviewer-name">by (.*?)<', feedback))
    assert named == {shown_name(reviewer) for reviewer in crawl.reviewed_me}
    # Statements still name only their actor; file names stay neutral (our choice).
    for other in (sub for sub in PEOPLE if sub != ME):
        for secret in identifiers(other):
            assert all(secret not in statement for statement in crawl.statements), secret
    for disposition, _body in crawl.downloads:
        assert disposition == "attachment; filename=submission.pdf"
