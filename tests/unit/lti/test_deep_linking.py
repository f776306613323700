"""Deep-linking requests read once; responses signed with the tool's key object."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import jwt
import pytest

from lti_tool.domain.activities import ActivityPlan, Gradebook
from lti_tool.domain.errors import LaunchRefused
from lti_tool.keys import KeyRing
from lti_tool.lti.deep_linking import (
    DL,
    LTI,
    SETTINGS_CLAIM,
    content_item,
    read_request,
    response_token,
)

PLAN = ActivityPlan(
    kind="essay",
    title="Essay",
    text="Write",
    settings={},
    gradebook=Gradebook(score_maximum=10, label="Essay", tag="essay"),
    submission_until=datetime(2027, 1, 1, tzinfo=UTC),
)


def test_settings_default_to_what_the_specification_says() -> None:
    request = read_request({SETTINGS_CLAIM: {"deep_link_return_url": "https://lms/return"}})
    assert request.accept_multiple
    assert request.accept_lineitem
    assert not request.accepts_links
    assert request.data is None


@pytest.mark.parametrize(
    "settings", [None, {}, {"deep_link_return_url": "javascript:alert(1)"}, "text"]
)
def test_a_request_without_a_usable_return_url_is_refused(settings: object) -> None:
    with pytest.raises(LaunchRefused):
        read_request({SETTINGS_CLAIM: settings} if settings is not None else {})


def test_a_content_item_carries_the_activity_key_and_the_line_item() -> None:
    item = content_item(
        PLAN, activity_key="k-1", launch_url="https://tool/lti/launch", with_line_item=True
    )
    assert item == {
        "type": "ltiResourceLink",
        "title": "Essay",
        "text": "Write",
        "url": "https://tool/lti/launch",
        "custom": {"peerlearn_activity": "k-1", "peerlearn_kind": "essay"},
        "lineItem": {"scoreMaximum": 10, "label": "Essay", "resourceId": "k-1", "tag": "essay"},
        "submission": {"endDateTime": "2027-01-01T00:00:00+00:00"},
    }
    without = content_item(PLAN, activity_key="k-1", launch_url="u", with_line_item=False)
    assert "lineItem" not in without


def test_the_response_is_signed_for_the_platform(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path)
    key = ring.generate()
    request = read_request(
        {
            SETTINGS_CLAIM: {
                "deep_link_return_url": "https://lms/return",
                "accept_types": ["ltiResourceLink"],
                "data": "opaque",
            }
        }
    )
    token = response_token(
        ring,
        client_id="client",
        platform_issuer="https://lms",
        deployment_id="d1",
        request=request,
        items=[{"type": "ltiResourceLink"}],
        message="Added",
    )
    assert jwt.get_unverified_header(token)["kid"] == key.kid
    body = jwt.decode(
        token, key.private_key.public_key(), algorithms=["RS256"], audience="https://lms"
    )
    assert body["iss"] == "client"
    assert body[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert body[LTI + "deployment_id"] == "d1"
    assert body[DL + "data"] == "opaque"
    assert body[DL + "msg"] == "Added"
    assert body["exp"] - body["iat"] == 300
