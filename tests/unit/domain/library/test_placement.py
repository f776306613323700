"""The "library" activity kind: placements of the whole library, a topic or an item."""

from __future__ import annotations

import pytest

from lti_tool.domain.activities import SettingsInvalid
from lti_tool.domain.course_choices import CourseChoice, fill_from_choices, for_course
from lti_tool.domain.kinds import all_kinds
from lti_tool.domain.library.placement import COURSE_ITEMS, COURSE_TOPICS, LIBRARY_KIND

OFFERED = {
    COURSE_TOPICS: [CourseChoice("feedback", "Feedback", {"topic_name": "Feedback"})],
    COURSE_ITEMS: [CourseChoice("key-1", "First item", {"item_key": "key-1"})],
}
KIND = for_course(LIBRARY_KIND, OFFERED)


def build(**values: str) -> dict[str, object]:
    """As the picker does it: the course's form, with what the picked options fill."""
    filled = fill_from_choices(KIND, {"title": "Placed", **values}, OFFERED)
    return dict(KIND.build(filled).settings)


def test_registered_and_not_graded() -> None:
    assert all_kinds().get("library") is LIBRARY_KIND
    assert not LIBRARY_KIND.graded
    assert LIBRARY_KIND.build({"title": "Library", "placement": "library"}).gradebook is None


def test_settings_of_each_placement() -> None:
    assert build(placement="library") == {"placement": "library"}
    assert build(placement="topic", topic="feedback") == {
        "placement": "topic",
        "topic_slug": "feedback",
        "topic_name": "Feedback",
    }
    assert build(placement="topic", topic_name=" Study  skills ") == {
        "placement": "topic",
        "topic_slug": "study-skills",
        "topic_name": "Study skills",
    }
    assert build(placement="item", item="key-1") == {"placement": "item", "item_key": "key-1"}
    # What is kept is plain: the placement rebuilds without the course's options.
    assert LIBRARY_KIND.build(
        {"title": "T", "placement": "topic", "topic_name": "Feedback"}
    ).settings == {"placement": "topic", "topic_slug": "feedback", "topic_name": "Feedback"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"placement": "topic"}, "topic"),
        ({"placement": "topic", "topic": "feedback", "topic_name": "Other"}, "topic_name"),
        ({"placement": "topic", "topic_name": "!!!"}, "topic_name"),
        ({"placement": "topic", "topic": "not-offered"}, "topic"),
        ({"placement": "item"}, "item"),
        ({"placement": "item", "item": "another-course-key"}, "item"),
        ({"placement": "item", "item_key": "k" * 37}, "item_key"),
        ({"placement": "everything"}, "placement"),
    ],
)
def test_incomplete_or_forged_choices_are_refused(values: dict[str, str], field: str) -> None:
    with pytest.raises(SettingsInvalid) as raised:
        build(**values)
    assert field in raised.value.errors
