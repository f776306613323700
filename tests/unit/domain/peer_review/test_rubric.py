"""Rubrics: validation, JSON and text forms, and checking assessments against them."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from lti_tool.domain.peer_review.rubric import (
    AssessmentProblem,
    CommentRule,
    Criterion,
    Level,
    Rubric,
    RubricInvalid,
    assessment_score,
    check_assessment,
)
from lti_tool.domain.peer_review.rubric_text import format_rubric_text, parse_rubric_text

EXAMPLE = """\
Argument [comment required]
Is the main claim clear and supported?
- 0 | Missing | No claim can be found
- 2 | Weak | A claim, little support
- 4 | Strong | Clear claim, well supported
"""


def criterion(key: str = "a", points: tuple[float, ...] = (0, 1, 2), **kwargs: object) -> Criterion:
    levels = tuple(Level(p, f"L{p:g}") for p in points)
    return Criterion(key=key, title=key.title(), description="", levels=levels, **kwargs)  # type: ignore[arg-type]


def test_the_issue_example_parses() -> None:
    rubric = parse_rubric_text(EXAMPLE)
    (argument,) = rubric.criteria
    assert argument.key == "argument"
    assert argument.comment is CommentRule.REQUIRED
    assert argument.description == "Is the main claim clear and supported?"
    assert argument.levels[1] == Level(2, "Weak", "A claim, little support")
    assert rubric.max_points == 4
    assert format_rubric_text(rubric) == EXAMPLE


def test_levels_may_be_written_from_the_most_points_down() -> None:
    rubric = parse_rubric_text("Style [no comment, key s]\n- 3 | Good\n- 1 | Poor | weak | vague\n")
    (style,) = rubric.criteria
    assert [level.points for level in style.levels] == [1, 3]
    assert style.levels[0].descriptor == "weak | vague"
    assert (style.key, style.comment) == ("s", CommentRule.NONE)


def test_every_mistake_is_reported_with_its_line() -> None:
    text = "- 1 | x\nArgument [comment maybe]\n- a | b\n- 1 | x\n- 1 | y\n\nArgument\n- 1\n"
    with pytest.raises(RubricInvalid) as caught:
        parse_rubric_text(text)
    assert caught.value.problems == (
        "Line 1: A level needs a criterion line above it.",
        (
            "Line 2: Unknown option 'comment maybe'; use 'comment required', 'comment optional', "
            "'no comment' or 'key some-name'."
        ),
        "Line 3: 'a' is not a number of points. Write a level as '- points | title | descriptor'.",
        (
            "Line 5: 1 points is already used by the level on line 4; each level needs different "
            "points."
        ),
        "Line 7 ('Argument'): A criterion needs at least 2 levels.",
        (
            "Line 7 ('Argument'): The key 'argument' is used by the criterion on line 2; give one "
            "of them another title or a '[key ...]'."
        ),
        "Line 8: Write a level as '- points | title | descriptor'.",
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "The rubric is empty: write at least one criterion with its levels."),
        ("A\n- -1 | x\n- 1 | y\n", "Line 2: Points must be a number of at least 0."),
        ("A\n- 0 | \n- 1 | y\n", "Line 2: A level needs a title."),
        ("A\n- 0 | x\n- inf | y\n", "Line 3: Points must be a finite number."),
        ("A [key Bad Key]\n- 0 | x\n- 1 | y\n", "must be 1 to 40 lowercase letters"),
    ],
)
def test_single_mistakes(text: str, problem: str) -> None:
    with pytest.raises(RubricInvalid) as caught:
        parse_rubric_text(text)
    assert any(problem in found for found in caught.value.problems)


def test_rubric_checks_itself_when_built() -> None:
    with pytest.raises(RubricInvalid) as caught:
        Rubric((criterion("a", (2, 1)), criterion("a", (1,)), criterion("b", (1, 1))))
    assert caught.value.problems == (
        "Criterion 1 ('A'): Levels must run from the fewest points to the most.",
        "Criterion 2 ('A'): A criterion needs at least 2 levels.",
        "Criterion 2 ('A'): The key 'a' is used by an earlier criterion.",
        "Criterion 3 ('B'): Each level needs different points.",
    )
    with pytest.raises(RubricInvalid, match="at least one criterion"):
        Rubric(())


def test_json_form_round_trips_and_is_versioned() -> None:
    rubric = parse_rubric_text(EXAMPLE + "\nClarity [no comment]\n- 0 | Unclear\n- 1.5 | Clear\n")
    data = rubric.to_dict()
    assert data["version"] == 1
    assert Rubric.from_dict(data) == rubric
    with pytest.raises(RubricInvalid, match="version"):
        Rubric.from_dict({**data, "version": 99})
    with pytest.raises(RubricInvalid, match="damaged"):
        Rubric.from_dict({"version": 1, "criteria": [{"title": "no key"}]})


def test_text_lines_that_look_like_syntax_are_escaped() -> None:
    tricky = Rubric(
        (
            Criterion(
                key="x",
                title="- [odd] title [x]",
                description="# not a note\n- not a level",
                levels=(Level(0, "none"), Level(0.25, "a quarter", "| pipes |")),
            ),
        )
    )
    assert parse_rubric_text(format_rubric_text(tricky)) == tricky


RUBRIC = parse_rubric_text(EXAMPLE + "\nClarity [no comment]\n- 0 | Unclear\n- 2 | Clear\n")


def test_a_draft_may_be_partial_but_a_final_assessment_may_not() -> None:
    assert check_assessment(RUBRIC, {"argument": 2}, {}, final=False) == []
    assert check_assessment(RUBRIC, {"argument": 2}, {}, final=True) == [
        AssessmentProblem("argument", "A comment is required here."),
        AssessmentProblem("clarity", "Choose a level."),
    ]
    assert (
        check_assessment(RUBRIC, {"argument": 2, "clarity": 0}, {"argument": "ok"}, final=True)
        == []
    )


def test_assessment_mistakes() -> None:
    problems = check_assessment(
        RUBRIC, {"argument": 3, "ghost": 1}, {"clarity": "hi", "argument": "x" * 4001}, final=False
    )
    assert problems == [
        AssessmentProblem("ghost", "This criterion is not part of the rubric."),
        AssessmentProblem("argument", "Choose one of the offered levels."),
        AssessmentProblem("argument", "A comment can have at most 4000 characters."),
        AssessmentProblem("clarity", "This criterion takes no comment."),
    ]


def test_assessment_score() -> None:
    score = assessment_score(RUBRIC, {"argument": 2, "clarity": 2})
    assert (score.points, score.max_points, score.normalised) == (4, 6, pytest.approx(2 / 3))
    with pytest.raises(ValueError, match="clarity"):
        assessment_score(RUBRIC, {"argument": 2})


_words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    min_size=1,
    max_size=30,
)


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    criteria = []
    for index in range(draw(st.integers(1, 4))):
        points = draw(
            st.lists(
                st.floats(0, 1000, allow_nan=False).map(lambda p: round(p, 3)),
                min_size=2,
                max_size=5,
                unique=True,
            )
        )
        levels = tuple(
            Level(p, draw(_words.filter(lambda w: "|" not in w)), draw(st.text(max_size=20)))
            for p in sorted(points)
        )
        criteria.append(
            Criterion(
                key=draw(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)) + str(index),
                title=draw(_words),
                description=draw(st.text(max_size=60)),
                levels=levels,
                comment=draw(st.sampled_from(CommentRule)),
            )
        )
    try:
        return Rubric(tuple(criteria))
    except RubricInvalid:
        assume(False)
        raise


@given(rubrics())
def test_text_form_round_trips(rubric: Rubric) -> None:
    assert parse_rubric_text(format_rubric_text(rubric)) == rubric


@given(rubrics())
def test_json_form_round_trips(rubric: Rubric) -> None:
    assert Rubric.from_dict(rubric.to_dict()) == rubric
