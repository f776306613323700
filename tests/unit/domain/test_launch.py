from __future__ import annotations

from lti_tool.domain.launch import (
    AGS_CLAIM,
    CLAIM,
    NRPS_CLAIM,
    PersonClaims,
    display_name,
    parse_launch,
)


def claims(**extra: object) -> dict[str, object]:
    return {
        "sub": "u1",
        CLAIM + "message_type": "LtiResourceLinkRequest",
        CLAIM + "deployment_id": "d1",
        CLAIM + "roles": ["Learner", 7],
        CLAIM + "resource_link": {"id": "rl1", "title": "  Week 1  "},
        CLAIM + "context": {"id": "c1", "title": "Course", "type": ["CourseOffering", None]},
        **extra,
    }


def test_parse_keeps_what_was_sent() -> None:
    launch = parse_launch(claims(name="Ada", email="ada@example.edu"))
    assert launch.person == PersonClaims(sub="u1", name="Ada", email="ada@example.edu")
    assert launch.roles == ("Learner",)
    assert launch.resource_link is not None
    assert launch.resource_link.title == "Week 1"
    assert launch.context is not None
    assert launch.context.types == ("CourseOffering",)


def test_parse_tolerates_odd_types() -> None:
    launch = parse_launch(
        claims(name=42, **{CLAIM + "context": "nope", CLAIM + "custom": {"a": 1}})
    )
    assert launch.person.name is None
    assert launch.context is None
    assert launch.custom == {"a": "1"}


def test_long_titles_are_cut() -> None:
    launch = parse_launch(claims(**{CLAIM + "resource_link": {"id": "x", "title": "t" * 999}}))
    assert launch.resource_link is not None
    assert len(launch.resource_link.title or "") == 255


def test_display_name_prefers_choice_then_lms_name_then_parts() -> None:
    person = PersonClaims(sub="s", given_name="Grace", family_name="Hopper")
    assert display_name(person) == "Grace Hopper"
    assert display_name(person, "G.") == "G."
    assert display_name(PersonClaims(sub="s", name="Admiral")) == "Admiral"
    assert display_name(PersonClaims(sub="s")) == "Anonymous participant"


def test_service_endpoints_are_kept() -> None:
    launch = parse_launch(
        claims(
            **{
                NRPS_CLAIM: {"context_memberships_url": " https://lms.example/nrps/c1 "},
                AGS_CLAIM: {"lineitems": "https://lms.example/ags/c1/lineitems", "scope": []},
            }
        )
    )
    assert launch.memberships_url == "https://lms.example/nrps/c1"
    assert launch.lineitems_url == "https://lms.example/ags/c1/lineitems"


def test_odd_or_missing_service_endpoints_are_none() -> None:
    assert parse_launch(claims()).memberships_url is None
    odd = parse_launch(
        claims(
            **{
                NRPS_CLAIM: {"context_memberships_url": "javascript:alert(1)"},
                AGS_CLAIM: {"lineitems": "https://lms.example/" + "x" * 2000},
            }
        )
    )
    assert (odd.memberships_url, odd.lineitems_url) == (None, None)
    assert parse_launch(claims(**{NRPS_CLAIM: "nope"})).memberships_url is None
