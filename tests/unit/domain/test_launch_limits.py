"""What a launch stores is storable (issue 12, item 8): identifiers and the AGS lineitem
with control characters or longer than their columns are refused, never cut."""

from __future__ import annotations

import pytest

from lti_tool.domain.errors import LaunchRefused
from lti_tool.domain.launch import (
    AGS_CLAIM,
    CLAIM,
    MAX_IDENTIFIER,
    MAX_URL,
    ClaimTooLong,
    line_item_url,
    parse_launch,
)
from tests.unit.domain.test_launch import claims


@pytest.mark.parametrize("claim", ["context", "resource_link"])
def test_identifiers_longer_than_their_column_are_refused(claim: str) -> None:
    parse_launch(claims(**{CLAIM + claim: {"id": "x" * MAX_IDENTIFIER}}))
    with pytest.raises(ClaimTooLong):
        parse_launch(claims(**{CLAIM + claim: {"id": "x" * (MAX_IDENTIFIER + 1)}}))


def test_a_long_user_id_or_deployment_is_refused() -> None:
    with pytest.raises(ClaimTooLong):
        parse_launch(claims(sub="u" * 256))
    with pytest.raises(ClaimTooLong):
        parse_launch(claims(**{CLAIM + "deployment_id": "d" * 256}))


def test_our_custom_parameters_are_identifiers_and_others_are_dropped() -> None:
    launch = parse_launch(
        claims(**{CLAIM + "custom": {"peerlearn_activity": "k1", "note": "a\x00b", "n": 3}})
    )
    assert launch.custom == {"peerlearn_activity": "k1", "n": "3"}
    with pytest.raises(LaunchRefused) as refused:
        parse_launch(claims(**{CLAIM + "custom": {"peerlearn_activity": "k\x001"}}))
    assert refused.value.code == "invalid_identifier"
    with pytest.raises(ClaimTooLong):
        parse_launch(claims(**{CLAIM + "custom": {"peerlearn_activity": "k" * 256}}))


def test_the_lineitem_is_refused_with_control_characters_or_too_long() -> None:
    url = "https://lms.example/items/1"
    assert line_item_url({AGS_CLAIM: {"lineitem": url}}) == url
    assert line_item_url({AGS_CLAIM: {"lineitem": "ftp://x"}}) is None
    assert line_item_url({AGS_CLAIM: "nonsense"}) is None
    with pytest.raises(LaunchRefused):
        line_item_url({AGS_CLAIM: {"lineitem": url + "\x00"}})
    with pytest.raises(ClaimTooLong):
        line_item_url({AGS_CLAIM: {"lineitem": url + "x" * MAX_URL}})
