"""The Peerlearn xAPI profile: one IRI per concept, from established vocabularies.

``docs/xapi-profile.md`` documents every event; this module is its single source.
"""

from __future__ import annotations

import enum

PROFILE_IRI = "https://peerlearn.dev/xapi/profile/v1"
PROFILE_ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/profile"
EXTENSION_BASE = "https://peerlearn.dev/xapi/extensions/"


class Verb(enum.Enum):
    """Every verb Peerlearn emits: (IRI, en-US display)."""

    LAUNCHED = ("http://adlnet.gov/expapi/verbs/launched", "launched")
    AUTHORED = ("http://activitystrea.ms/author", "authored")
    EDITED = ("https://w3id.org/xapi/acrossx/verbs/edited", "edited")
    SHARED = ("http://adlnet.gov/expapi/verbs/shared", "shared")
    VIEWED = ("http://id.tincanapi.com/verb/viewed", "viewed")
    COMMENTED = ("http://adlnet.gov/expapi/verbs/commented", "commented")
    REPLIED = ("http://id.tincanapi.com/verb/replied", "replied")
    RATED = ("http://id.tincanapi.com/verb/rated", "rated")
    LIKED = ("https://w3id.org/xapi/acrossx/verbs/liked", "liked")
    SUBMITTED = ("http://activitystrea.ms/submit", "submitted")
    WAS_ASSIGNED = ("https://w3id.org/xapi/acrossx/verbs/was-assigned", "was assigned")
    REVIEWED = ("http://id.tincanapi.com/verb/reviewed", "reviewed")
    SCORED = ("http://adlnet.gov/expapi/verbs/scored", "scored")
    ANSWERED = ("http://adlnet.gov/expapi/verbs/answered", "answered")
    ATTENDED = ("http://adlnet.gov/expapi/verbs/attended", "attended")
    MENTORED = ("http://id.tincanapi.com/verb/mentored", "mentored")
    VOIDED = ("http://adlnet.gov/expapi/verbs/voided", "voided")
    # No established vocabulary has "flagged for moderation": Peerlearn's own IRI.
    FLAGGED = ("https://peerlearn.dev/xapi/verbs/flagged", "flagged")

    @property
    def iri(self) -> str:
        return self.value[0]

    @property
    def display(self) -> str:
        return self.value[1]


class ActivityType(enum.StrEnum):
    """Activity types of the objects and context activities Peerlearn names."""

    LTI_RESOURCE_LINK = "http://id.tincanapi.com/activitytype/lti-resource-link"
    COURSE = "http://adlnet.gov/expapi/activities/course"
    LMS = "http://id.tincanapi.com/activitytype/lms"
    PROFILE = PROFILE_ACTIVITY_TYPE
    PEER_REVIEW = "https://peerlearn.dev/xapi/activity-types/peer-review"
    SUBMISSION = "https://peerlearn.dev/xapi/activity-types/submission"
    REVIEW = "http://id.tincanapi.com/activitytype/review"
    CALIBRATION_EXAMPLE = "https://peerlearn.dev/xapi/activity-types/calibration-example"


class Extension(enum.StrEnum):
    """Context extension keys (IRIs) for the LTI identifiers behind an event."""

    LTI_PLATFORM = EXTENSION_BASE + "lti-platform"
    LTI_DEPLOYMENT_ID = EXTENSION_BASE + "lti-deployment-id"
    LTI_CONTEXT_ID = EXTENSION_BASE + "lti-context-id"
    LTI_RESOURCE_LINK_ID = EXTENSION_BASE + "lti-resource-link-id"
    LTI_MESSAGE_TYPE = EXTENSION_BASE + "lti-message-type"
    LTI_ROLES = EXTENSION_BASE + "lti-roles"
    RUBRIC_SCORES = EXTENSION_BASE + "rubric-scores"
    SUBMISSION_VERSION = EXTENSION_BASE + "submission-version"
    GRADING_PROGRESS = EXTENSION_BASE + "grading-progress"
