"""Library moderation pages: the staff queue; approve, hide, restore or dismiss; the
course's publishing policy; and the helpers the blueprint's other modules share (flag
forms in ``library_flag_views``, sharing in ``library_sharing_views``).

Every view reads the launch session, loads the target as this viewer may see it (what
they may not see is 404, so another course learns nothing), calls one operation in one
transaction, and answers 303 to a page that says what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Connection

from lti_tool.domain.errors import BadRequest, Forbidden
from lti_tool.domain.library.moderation import (
    Policy,
    StaffAction,
    Viewer,
    actions_for_item,
    may_moderate,
    parse_staff_note,
)
from lti_tool.domain.library.permissions import CourseRelation, not_found
from lti_tool.launch_session import LaunchSession
from lti_tool.library import moderation
from lti_tool.library.access import CommentTarget, ItemTarget, course_of, open_comment, open_target
from lti_tool.library.moderation_queue import course_queue, item_review, recent_audit
from lti_tool.library.people import names_of
from lti_tool.rich_text import sanitise
from lti_tool.web.context import current_launch, services
from lti_tool.web.library_moderation_forms import (
    ROW_ID_MAX,
    DecisionForm,
    PolicyForm,
    load,
)

library_moderation = Blueprint("library_moderation", __name__, url_prefix="/app/library")

DECISIONS = {
    "approve": StaffAction.APPROVE,
    "hide": StaffAction.HIDE,
    "restore": StaffAction.RESTORE,
    "dismiss": StaffAction.DISMISS,
}
BUTTONS = {action: name for name, action in DECISIONS.items()}
# Notices are chosen from this table by key, never echoed from the address.
NOTICES = {
    "flagged": "Thank you. Staff of the course will look at it.",
    "approved": "Approved: the item is published.",
    "hidden": "Hidden: learners no longer see it; the author was told.",
    "restored": "Restored: it is visible again; the author was told.",
    "dismissed": "Flags dismissed: nothing changed and the author was not told.",
    "policy-saved": "The course's publishing policy was saved.",
    "policy-unchanged": "The policy was already that; nothing changed.",
    "shared": "Shared.",
    "already-shared": "It was already shared to that course.",
    "unshared": "No longer shared to that course.",
}


@dataclass(frozen=True)
class Session:
    launch: LaunchSession
    token: str
    context_id: int  # the launch's course (launches outside a course have no library)

    @property
    def is_staff(self) -> bool:
        return self.launch.is_staff

    @property
    def course_viewer(self) -> Viewer:
        """The viewer in their own course (for course-wide pages such as the queue)."""
        return Viewer(self.launch.user_id, self.launch.is_staff, CourseRelation.SAME)


def session() -> Session:
    launch, token = current_launch()
    return Session(launch, token, course_of(launch))


def now() -> datetime:
    return datetime.now(UTC)


def load_item(connection: Connection, current: Session, key: str) -> tuple[ItemTarget, Viewer]:
    return open_target(
        connection,
        key=key,
        user_id=current.launch.user_id,
        is_staff=current.is_staff,
        context_id=current.context_id,
    )


def load_comment(
    connection: Connection, current: Session, comment_id: int
) -> tuple[CommentTarget, ItemTarget, Viewer]:
    if comment_id > ROW_ID_MAX:
        raise not_found("There is no such comment here.")
    return open_comment(
        connection,
        comment_id=comment_id,
        user_id=current.launch.user_id,
        is_staff=current.is_staff,
        context_id=current.context_id,
    )


def require_staff(viewer: Viewer) -> None:
    if not may_moderate(viewer):
        raise Forbidden("Only teaching staff of this course can do that.", code="staff_only")


def notice() -> str | None:
    return NOTICES.get(request.args.get("notice", ""))


def page(template: str, current: Session, **values: Any) -> str:
    item = values.get("item")
    return render_template(
        template,
        token=current.token,
        is_staff=current.is_staff,
        notice=notice(),
        item_href=item_url(current, item) if isinstance(item, ItemTarget) else None,
        **values,
    )


def item_url(current: Session, item: ItemTarget, **extra: Any) -> str:
    """The item's own page."""
    return url_for("library.item", key=item.key, ls=current.token, **extra)


@library_moderation.get("/moderation")
def queue() -> ResponseReturnValue:
    current = session()
    require_staff(current.course_viewer)
    context_id = current.context_id
    with services().engine.connect() as connection:
        found = course_queue(connection, context_id)
        policy = moderation.policy_of(connection, context_id)
        # Flags stay out of this list: staff judge the content, not who reported it.
        entries = [
            entry
            for entry in recent_audit(connection, context_id, limit=40)
            if entry.action != "flagged"
        ][:20]
        names = names_of(connection, {entry.actor_id for entry in entries if entry.actor_id})
    return page(
        "library/moderation.html",
        current,
        queue=found,
        policy=policy,
        audit=entries,
        names=names,
        buttons=BUTTONS,
        sanitise=sanitise,
    )


@library_moderation.get("/moderation/items/<key>")
def review_item(key: str) -> ResponseReturnValue:
    """Staff read an item (whatever its state) with its comments and open flags."""
    current = session()
    with services().engine.connect() as connection:
        item, viewer = load_item(connection, current, key)
        require_staff(viewer)
        review = item_review(connection, item)
    return page(
        "library/review.html",
        current,
        item=item,
        review=review,
        body_html=sanitise(item.body_html),
        item_actions=(*actions_for_item(item.state), StaffAction.DISMISS),
        buttons=BUTTONS,
        sanitise=sanitise,
    )


def _decision() -> tuple[StaffAction, str, str]:
    form = load(DecisionForm())
    chosen = DECISIONS.get(form["decision"])
    if chosen is None:
        raise BadRequest(
            "Choose approve, hide, restore or dismiss.", code="moderation_decision_unknown"
        )
    return chosen, parse_staff_note(form["note"]), form["back"]


def _after_decision(current: Session, action: StaffAction, back: str) -> ResponseReturnValue:
    # Only our own review page, by key: the form cannot send anyone elsewhere.
    if back.startswith("review:"):
        return redirect(
            url_for(
                "library_moderation.review_item",
                key=back.removeprefix("review:"),
                ls=current.token,
                notice=action.value,
            ),
            code=303,
        )
    return redirect(
        url_for("library_moderation.queue", ls=current.token, notice=action.value), code=303
    )


@library_moderation.post("/moderation/items/<key>/decision")
def decide_item(key: str) -> ResponseReturnValue:
    current = session()
    with services().engine.begin() as connection:
        item, viewer = load_item(connection, current, key)
        require_staff(viewer)  # before reading the form: a refusal says nothing more
        action, note, back = _decision()
        moderation.decide_item(
            connection, viewer=viewer, item=item, action=action, note=note, now=now()
        )
    return _after_decision(current, action, back)


@library_moderation.post("/moderation/comments/<int:comment_id>/decision")
def decide_comment(comment_id: int) -> ResponseReturnValue:
    current = session()
    with services().engine.begin() as connection:
        comment, item, viewer = load_comment(connection, current, comment_id)
        require_staff(viewer)
        action, note, back = _decision()
        moderation.decide_comment(
            connection,
            viewer=viewer,
            item=item,
            comment=comment,
            action=action,
            note=note,
            now=now(),
        )
    return _after_decision(current, action, back)


@library_moderation.get("/moderation/policy")
def policy() -> ResponseReturnValue:
    current = session()
    require_staff(current.course_viewer)
    with services().engine.connect() as connection:
        chosen = moderation.policy_of(connection, current.context_id)
    return page("library/policy.html", current, policy=chosen, policies=list(Policy))


@library_moderation.post("/moderation/policy")
def save_policy() -> ResponseReturnValue:
    current = session()
    require_staff(current.course_viewer)
    try:
        chosen = Policy(load(PolicyForm())["policy"])
    except ValueError:
        raise BadRequest("Choose “open” or “approval”.", code="moderation_policy_unknown") from None
    with services().engine.begin() as connection:
        changed = moderation.set_policy(
            connection,
            viewer=current.course_viewer,
            context_id=current.context_id,
            policy=chosen,
            now=now(),
        )
    return redirect(
        url_for(
            "library_moderation.policy",
            ls=current.token,
            notice="policy-saved" if changed else "policy-unchanged",
        ),
        code=303,
    )
