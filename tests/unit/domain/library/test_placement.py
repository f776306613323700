"""The "library" activity kind: placements of the whole library, a topic or an item."""

from __future__ import annotations

import pytest

from lti_tool.domain.activities import SettingsInvalid
from lti_tool.domain.kinds import all_kinds
from lti_tool.domain.library.placement import LIBRARY_KIND, with_course_choices

KIND = with_course_choices(
    LIBRARY_KIND, topics=[("feedback", "Feedback")], items=[("key-1", "First item")]
)


def test_registered_and_not_graded() -> None:
    assert all_kinds().get("library") is LIBRARY_KIND
    assert not LIBRARY_KIND.graded
    assert KIND.build({"title": "Library", "placement": "library"}).gradebook is None


def test_settings_of_each_placement() -> None:
    assert KIND.build({"title": "L", "placement": "library"}).settings == {"placement": "library"}
    assert KIND.build({"title": "T", "placement": "topic", "topic": "feedback"}).settings == {
        "placement": "topic",
        "topic_slug": "feedback",
        "topic_name": "Feedback",
    }
    assert KIND.build(
        {"title": "T", "placement": "topic", "new_topic": " Study  skills "}
    ).settings == {
        "placement": "topic",
        "topic_slug": "study-skills",
        "topic_name": "Study skills",
    }
    assert KIND.build({"title": "I", "placement": "item", "item": "key-1"}).settings == {
        "placement": "item",
        "item_key": "key-1",
    }


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"placement": "topic"}, "topic"),
        ({"placement": "topic", "topic": "feedback", "new_topic": "Other"}, "new_topic"),
        ({"placement": "topic", "new_topic": "!!!"}, "new_topic"),
        ({"placement": "topic", "topic": "not-offered"}, "topic"),
        ({"placement": "item"}, "item"),
        ({"placement": "item", "item": "another-course-key"}, "item"),
        ({"placement": "everything"}, "placement"),
    ],
)
def test_incomplete_or_forged_choices_are_refused(values: dict[str, str], field: str) -> None:
    with pytest.raises(SettingsInvalid) as raised:
        KIND.build({"title": "X", **values})
    assert field in raised.value.errors


def test_without_a_course_nothing_is_offered() -> None:
    with pytest.raises(SettingsInvalid):
        LIBRARY_KIND.build({"title": "X", "placement": "item", "item": "key-1"})
