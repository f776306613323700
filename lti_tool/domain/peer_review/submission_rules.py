"""When and what a learner may submit to a peer review activity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lti_tool.domain.errors import PeerlearnError


class SubmissionRefused(PeerlearnError):
    code = "submission_refused"
    status = 409
    title = "This submission cannot be accepted"
    advice = "Check the activity's dates and instructions; ask your teacher if in doubt."


@dataclass(frozen=True)
class SubmissionWindow:
    opens: datetime | None
    due: datetime
    late_allowed: bool
    # Once reviews are allocated, work is frozen for reviewers: no more resubmissions.
    allocated: bool = False


@dataclass(frozen=True)
class SubmittedContent:
    has_text: bool
    has_link: bool
    file_count: int

    @property
    def empty(self) -> bool:
        return not (self.has_text or self.has_link or self.file_count)


def check_submission(
    window: SubmissionWindow,
    content: SubmittedContent,
    *,
    now: datetime,
    resubmission: bool,
    accepts: frozenset[str],
) -> bool:
    """Raise :class:`SubmissionRefused` with the reason, or return whether it is late.

    ``accepts`` names the submission types the activity takes ("text", "file", "link").
    """
    if window.opens is not None and now < window.opens:
        raise SubmissionRefused("Submissions are not open yet.", code="not_open")
    late = now > window.due
    if late and not window.late_allowed:
        raise SubmissionRefused("The submission deadline has passed.", code="deadline_passed")
    if resubmission and (late or window.allocated):
        raise SubmissionRefused(
            "Your work is with its reviewers now; it can no longer be changed.",
            code="resubmission_closed",
        )
    if content.empty:
        raise SubmissionRefused("Add your work before submitting.", code="empty_submission")
    offered = {
        "text": content.has_text,
        "link": content.has_link,
        "file": content.file_count > 0,
    }
    refused = sorted(kind for kind, present in offered.items() if present and kind not in accepts)
    if refused:
        raise SubmissionRefused(
            f"This activity does not take {', '.join(refused)} submissions.",
            code="submission_type",
        )
    return late
