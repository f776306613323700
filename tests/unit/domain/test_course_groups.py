"""Reading the LTI Course Groups Service's bodies, and each learner's LMS group."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.course_groups import (
    CourseGroup,
    GroupSet,
    StoredGroup,
    learner_groups,
    parse_group_sets,
    parse_groups,
)
from lti_tool.domain.launch import GROUPS_CLAIM, parse_launch


def test_groups_as_the_spec_lists_them() -> None:
    body = [
        {"id": "g1", "name": " Red team ", "tag": "project", "set_ids": ["s1", "s2", "s1"]},
        {"id": "g2", "name": "Blue team", "set_ids": []},
    ]
    assert parse_groups(body) == [
        CourseGroup("g1", "Red team", ("s1", "s2"), "project"),
        CourseGroup("g2", "Blue team", (), None),
    ]


def test_odd_groups_are_read_or_skipped_not_trusted() -> None:
    body = [
        {"id": 42, "name": "Numbered", "set_id": 7},  # numbers, and Canvas's single set_id
        {"id": "", "name": "no id"},
        {"name": "no id at all"},
        {"id": True, "name": "a boolean is no id"},
        {"id": "g3"},  # no name: the id stands in
        "not a group",
        {"id": "g4", "name": "x" * 400, "set_ids": "not a list", "set_id": None},
        {"id": "g3", "name": "listed twice: the last wins"},
    ]
    groups = parse_groups(body)
    assert [(g.lms_id, g.name[:20], g.set_ids) for g in groups] == [
        ("42", "Numbered", ("7",)),
        ("g3", "listed twice: the la", ()),
        ("g4", "x" * 20, ()),
    ]
    assert len(groups[2].name) == 255


def test_group_sets() -> None:
    assert parse_group_sets([{"id": "s1", "name": "Teams"}, {"id": 2}, {"name": "x"}, 3]) == [
        GroupSet("s1", "Teams"),
        GroupSet("2", "2"),
    ]


def test_the_launch_names_the_groups_service() -> None:
    claims = {
        "sub": "u1",
        GROUPS_CLAIM: {
            "scope": ["https://purl.imsglobal.org/spec/lti-gs/scope/contextgroup.readonly"],
            "context_groups_url": "https://lms.example/groups",
            "context_group_sets_url": "ftp://lms.example/sets",
        },
    }
    launch = parse_launch(claims)
    assert (launch.groups_url, launch.groupsets_url) == ("https://lms.example/groups", None)
    assert parse_launch({"sub": "u1", GROUPS_CLAIM: "nope"}).groups_url is None


def test_learners_get_a_group_of_the_chosen_set() -> None:
    groups = [
        StoredGroup("red", "Red", "teams", frozenset({1, 2})),
        StoredGroup("blue", "Blue", "teams", frozenset({3})),
        StoredGroup("lab", "Lab A", "labs", frozenset({1, 3, 4})),
    ]
    assert learner_groups(groups, set_lms_id="teams") == {1: "Red", 2: "Red", 3: "Blue"}
    assert learner_groups(groups, set_lms_id="labs") == {1: "Lab A", 3: "Lab A", 4: "Lab A"}
    # All groups: someone in several gets the first by name, the same every time.
    assert learner_groups(groups, set_lms_id=None) == {1: "Lab A", 2: "Red", 3: "Blue", 4: "Lab A"}
    assert learner_groups(groups, set_lms_id="none such") == {}


@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=3),
            st.sampled_from(["a", "b", None]),
            st.frozensets(st.integers(0, 20)),
        ),
        max_size=8,
    ),
    st.sampled_from(["a", "b", None]),
)
def test_each_learner_gets_one_of_their_own_groups(
    raw: list[tuple[str, str | None, frozenset[int]]], chosen: str | None
) -> None:
    groups = [StoredGroup(f"g{i}", name, s, members) for i, (name, s, members) in enumerate(raw)]
    placed = learner_groups(groups, set_lms_id=chosen)
    eligible = [g for g in groups if chosen is None or g.set_lms_id == chosen]
    assert set(placed) == {person for g in eligible for person in g.members}
    for person, name in placed.items():
        assert any(g.name == name and person in g.members for g in eligible)
    assert learner_groups(list(reversed(groups)), set_lms_id=chosen) == placed
