"""The "library" kind placed from lti1p3platform's picker: the whole library, one topic
(chosen or new) and one item; each placement's launch opens the right page."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_tool.persistence.library_models import LibraryTopic
from lti_tool.persistence.models import Activity
from tests.factories.library_visits import Library
from tests.functional.conftest import LtiWorld
from tests.functional.test_deep_linking import add, picker, return_to_lms


def place(world: LtiWorld, **values: str) -> str:
    """Place one library activity; returns the title of the new LMS link."""
    browser, _page, token = picker(world)
    back = add(browser, world, token, "library", then="return", **values)
    assert back.status == 200, back.text
    assert return_to_lms(browser, back).status == 200
    return values["title"]


def launch(world: LtiWorld, title: str, person: str = "demo-learner-2") -> str:
    link = next(link for link in world.lms.platform.links.values() if link.title == title)
    _browser, page = world.launch(person, link_id=link.id)
    assert page.status == 200, page.text
    return page.text


def test_whole_library_topic_and_item_placements(world: LtiWorld) -> None:
    library = Library(world)
    library.launch("demo-learner-1")
    key = library.create_item("demo-learner-1", title="Rubrics explained", topics="Assessment")
    library.post("demo-learner-1", f"/items/{key}/publish")
    draft = library.create_item("demo-learner-1", title="Not yet", topics="Drafts")

    browser, _page, token = picker(world)
    form = browser.get(f"{world.tool_url}/app/deep-linking/library?ls={token}")
    assert form.status == 200
    # The course's topics and only its published items are offered.
    assert '<option value="assessment">Assessment</option>' in form.text
    assert 'id="f-topic_name"' in form.text
    assert f'<option value="{key}">Rubrics explained</option>' in form.text
    assert draft not in form.text
    missing = add(browser, world, token, "library", title="Topic?", placement="topic")
    assert missing.status == 422
    assert "Pick a topic or name a new one." in missing.text
    forged = add(browser, world, token, "library", title="X", placement="item", item=draft)
    assert forged.status == 422

    place(world, title="Whole library", placement="library")
    place(world, title="Assessment", placement="topic", topic="assessment")
    place(world, title="New topic", placement="topic", topic_name="Study  Skills")
    place(world, title="One item", placement="item", item=key)
    with world.services.engine.connect() as connection:
        settings = dict(
            connection.execute(
                select(Activity.title, Activity.settings).where(Activity.kind == "library")
            ).all()
        )
    assert settings["Whole library"] == {"placement": "library"}
    assert settings["Assessment"] == {
        "placement": "topic",
        "topic_slug": "assessment",
        "topic_name": "Assessment",
    }
    assert settings["New topic"]["topic_slug"] == "study-skills"
    assert settings["One item"] == {"placement": "item", "item_key": key}

    whole = launch(world, "Whole library")
    assert 'id="library-title">' in whole
    assert key in whole
    assert re.search(r'<a href="/app/library/\?ls=[^"]+" aria-current="page">Library</a>', whole)
    assert re.search(r'<a href="/app/library/mine\?ls=[^"]+">My items</a>', whole)
    assert draft not in whole
    topic_page = launch(world, "Assessment")
    assert "Topic: Assessment" in topic_page
    assert key in topic_page
    new_topic = launch(world, "New topic")
    assert "Topic: Study Skills" in new_topic
    assert 'id="library-empty"' in new_topic
    with world.services.engine.connect() as connection:
        assert "study-skills" in connection.execute(select(LibraryTopic.slug)).scalars().all()
    item = launch(world, "One item")
    assert re.search(r'id="item-title">Rubrics explained<', item)
