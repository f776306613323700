"""Assignment and Grade Services against a real platform's gradebook over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lti_tool.lti.ags import AgsClient, AgsError
from tests.functional.conftest import LtiWorld

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def setup(world: LtiWorld):
    platform, claims = world.teacher_services()
    return AgsClient(world.services.service_tokens), platform, claims[AGS_CLAIM]["lineitems"]


def test_line_item_lifecycle(world: LtiWorld) -> None:
    ags, platform, lineitems = setup(world)
    created = ags.create(
        platform,
        lineitems,
        {
            "scoreMaximum": 10,
            "label": "Essay peer review",
            "resourceId": "activity-1",
            "tag": "submission",
            "resourceLinkId": "demo-link-welcome",
        },
    )
    url = created["id"]
    assert ags.get(platform, url)["label"] == "Essay peer review"

    updated = ags.update(
        platform, url, {**created, "label": "Essay (peer reviewed)", "scoreMaximum": 20}
    )
    assert (updated["label"], updated["scoreMaximum"]) == ("Essay (peer reviewed)", 20)
    ags.create(platform, lineitems, {"scoreMaximum": 5, "label": "Reviewing", "tag": "review"})
    assert [i["label"] for i in ags.line_items(platform, lineitems, tag="review")] == ["Reviewing"]
    assert len(ags.line_items(platform, lineitems)) == 2

    ags.delete(platform, url)
    with pytest.raises(AgsError) as missing:
        ags.get(platform, url)
    assert missing.value.http_status == 404


def test_listing_follows_next_links(world: LtiWorld) -> None:
    ags, platform, lineitems = setup(world)
    for number in range(25):  # the demo gradebook pages by 10
        ags.create(platform, lineitems, {"scoreMaximum": 1, "label": f"Item {number}"})
    labels = [item["label"] for item in ags.line_items(platform, lineitems)]
    assert labels == [f"Item {number}" for number in range(25)]


def test_scores_and_results(world: LtiWorld) -> None:
    ags, platform, lineitems = setup(world)
    item = ags.create(platform, lineitems, {"scoreMaximum": 10, "label": "Essay"})
    now = datetime.now(UTC)

    def score(given: float, at: datetime) -> dict:
        return {
            "userId": "demo-learner-1",
            "scoreGiven": given,
            "scoreMaximum": 10,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "comment": "Well argued",
            "timestamp": at.isoformat(),
        }

    ags.publish_score(platform, item["id"], score(8, now))
    ags.publish_score(platform, item["id"], score(3, now - timedelta(minutes=5)))  # older
    [result] = ags.results(platform, item["id"], user_id="demo-learner-1")
    assert (result["resultScore"], result["resultMaximum"], result["comment"]) == (
        8,
        10,
        "Well argued",
    )
    assert ags.results(platform, item["id"], user_id="nobody") == []


def test_expired_token_is_renewed_once(world: LtiWorld) -> None:
    ags, platform, lineitems = setup(world)
    ags.line_items(platform, lineitems)
    assert world.lms.hits["/token"] == 1
    world.lms.platform.rotate_key()  # every token the platform issued is now invalid
    ags.line_items(platform, lineitems)
    assert world.lms.hits["/token"] == 2


def test_bad_line_item_is_a_clear_error(world: LtiWorld) -> None:
    ags, platform, lineitems = setup(world)
    with pytest.raises(AgsError) as refused:
        ags.create(platform, lineitems, {"label": "No maximum"})
    assert refused.value.http_status == 400
    assert "scoreMaximum" in refused.value.detail
