"""Every library authoring endpoint against learner, author, staff, a user of another
course and a user of another platform: who is let in, and who meets "not found"."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, select

from lti_tool.persistence.library_models import LibraryShare, LibraryView
from lti_tool.persistence.models import Context
from tests.factories.library_visits import Library
from tests.functional.conftest import LtiWorld

PDF = b"%PDF-1.4\n" + b"0" * 200 + b"\n%%EOF\n"
PEOPLE = ("author", "learner", "staff", "other-course", "other-platform")


@pytest.fixture
def library(world: LtiWorld) -> Library:
    found = Library(world)
    found.launch("demo-learner-1")
    found.sessions["author"] = found.sessions["demo-learner-1"]
    found.launch("demo-learner-2")
    found.sessions["learner"] = found.sessions["demo-learner-2"]
    found.launch("demo-teacher")
    found.sessions["staff"] = found.sessions["demo-teacher"]
    found.launch_elsewhere("other-course", "demo-learner-3")
    found.issue_other_platform_session("other-platform", staff=True)
    return found


def statuses(library: Library, method: str, path: str, **fields: str) -> dict[str, int]:
    result = {}
    for person in PEOPLE:
        if method == "get":
            result[person] = library.get(person, path).status
        else:
            result[person] = library.post(person, path, **fields).status
    return result


def test_who_may_do_what_with_a_draft_and_a_published_item(library: Library) -> None:
    draft = library.create_item("author", title="Draft")
    item = library.create_item("author", title="Published", kind="file", body="")
    assert library.upload("author", item, ("a.pdf", PDF)).status_code == 303
    assert library.post("author", f"/items/{item}/publish").status == 200
    hidden_from_others = {"other-course": 404, "other-platform": 404}

    assert statuses(library, "get", f"/items/{draft}") == {
        "author": 200,
        "learner": 404,
        "staff": 200,
        **hidden_from_others,
    }
    assert statuses(library, "get", f"/items/{item}") == {
        "author": 200,
        "learner": 200,
        "staff": 200,
        **hidden_from_others,
    }
    for path in ("/edit", "/history", "/history/1"):
        assert statuses(library, "get", f"/items/{item}{path}") == {
            "author": 200,
            "learner": 403,
            "staff": 200,
            **hidden_from_others,
        }, path
        assert statuses(library, "get", f"/items/{draft}{path}") == {
            "author": 200,
            "learner": 404,
            "staff": 200,
            **hidden_from_others,
        }, path
    # Writes: the refused never change anything (the version stays where it was).
    edits = statuses(library, "post", f"/items/{item}/edit", version="99", title="T", body="B")
    assert edits == {"author": 409, "learner": 403, "staff": 409, **hidden_from_others}
    assert statuses(library, "post", f"/items/{item}/history/1/restore", version="99") == {
        "author": 409,
        "learner": 403,
        "staff": 409,
        **hidden_from_others,
    }
    assert library.item_version(item) == 1
    upload = {p: library.upload(p, item, ("b.pdf", PDF)).status_code for p in PEOPLE}
    assert upload == {"author": 303, "learner": 403, "staff": 303, **hidden_from_others}
    for person in ("learner", "other-course", "other-platform"):
        assert library.post(person, f"/items/{draft}/publish").status == 404, person
    assert library.item_row(draft).state == "draft"
    assert library.post("author", f"/items/{draft}/publish").status == 200
    # Published already: nobody publishes it again.
    assert library.post("staff", f"/items/{draft}/publish").status == 403
    assert statuses(library, "get", "/mine") == {
        "author": 200,
        "learner": 200,
        "staff": 200,
        "other-course": 200,
        "other-platform": 200,
    }
    # Their own "My items" shows nobody else's items.
    for person in ("learner", "other-course", "other-platform"):
        assert item not in library.get(person, "/mine").text
    for person in ("learner", "other-course", "other-platform"):
        assert library.post(person, f"/items/{item}/delete").status in {403, 404}
    assert library.item_row(item).deleted_at is None
    assert library.post("staff", f"/items/{item}/delete").status == 200


def test_pages_need_a_launch_session(library: Library) -> None:
    key = library.create_item("author")
    browser = library.sessions["author"][0]
    for path in ("/new", "/mine", f"/items/{key}", f"/items/{key}/edit", "/"):
        page = browser.get(f"{library.base}{path}")
        assert page.status == 401, path
    tampered = browser.get(f"{library.base}/items/{key}?ls=forged.token.value")
    assert tampered.status == 401


def test_file_downloads_follow_the_item(library: Library) -> None:
    key = library.create_item("author", title="Files", kind="file", body="")
    assert library.upload("author", key, ("a.pdf", PDF)).status_code == 303
    [file_id] = re.findall(r"/files/(\d+)\?", library.get("author", f"/items/{key}/edit").text)
    path = f"/items/{key}/files/{file_id}"
    assert statuses(library, "get", path) == {
        "author": 200,
        "learner": 404,
        "staff": 200,
        "other-course": 404,
        "other-platform": 404,
    }
    library.post("author", f"/items/{key}/publish")
    assert statuses(library, "get", path) == {
        "author": 200,
        "learner": 200,
        "staff": 200,
        "other-course": 404,
        "other-platform": 404,
    }
    removal = f"{path}/remove"
    for person in ("learner", "other-course", "other-platform"):
        assert library.post(person, removal).status in {403, 404}
    assert library.get("learner", path).status == 200


def test_an_item_shared_to_another_course_is_read_only_there(library: Library) -> None:
    key = library.create_item("author", title="Shared widely")
    library.post("author", f"/items/{key}/publish")
    item = library.item_row(key)
    with library.world.services.engine.begin() as connection:
        elsewhere = connection.execute(
            select(Context.id).where(Context.lti_id == "another-course")
        ).scalar_one()
        connection.execute(insert(LibraryShare).values(item_id=item.id, context_id=elsewhere))
    assert library.get("other-course", f"/items/{key}").status == 200
    assert library.get("other-platform", f"/items/{key}").status == 404
    for path in ("/edit", "/history"):
        assert library.get("other-course", f"/items/{key}{path}").status == 403
    assert library.post("other-course", f"/items/{key}/delete").status == 403
    assert key in library.get("other-course", "/").text
    # The view is recorded in the course it happened in, about the item's own activity.
    with library.world.services.engine.connect() as connection:
        assert connection.execute(select(LibraryView.user_id)).scalars().all() != []
    # A comment hidden by the item's own staff stays hidden from staff of that course.
    commented = library.post("learner", f"/items/{key}/comments", body="Rude words")
    assert commented.status == 200
    comment = re.search(r'data-comment="(\d+)"', commented.text)
    assert comment is not None
    decided = library.post(
        "staff", f"/moderation/comments/{comment[1]}/decision", decision="hide", note=""
    )
    assert decided.status == 200, decided.text
    library.launch_elsewhere("staff-elsewhere", "demo-teacher")
    there = library.get("staff-elsewhere", f"/items/{key}")
    assert there.status == 200
    assert "Rude words" not in there.text
    assert "Hidden by staff" not in there.text  # vanished, as for learners
    assert "Rude words" in library.get("staff", f"/items/{key}").text


def test_everyone_writes_in_their_own_course_only(library: Library) -> None:
    assert statuses(library, "get", "/new") == dict.fromkeys(PEOPLE, 200)
    assert statuses(library, "get", "/") == dict.fromkeys(PEOPLE, 200)
    made = {person: library.create_item(person, title=f"By {person}") for person in PEOPLE}
    for person, key in made.items():
        library.post(person, f"/items/{key}/publish")
    contexts = {person: library.item_row(key).context_id for person, key in made.items()}
    assert contexts["author"] == contexts["learner"] == contexts["staff"]
    assert len({contexts["author"], contexts["other-course"], contexts["other-platform"]}) == 3
    for reader in PEOPLE:
        for writer, key in made.items():
            same = contexts[reader] == contexts[writer]
            assert library.get(reader, f"/items/{key}").status == (200 if same else 404)
