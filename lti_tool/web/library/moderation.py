"""Moderating the library: the staff queue; approve, hide, restore or dismiss; the
course's publishing policy.

Every view opens the target as this viewer may see it (what they may not see is 404, so
another course learns nothing) and refuses anyone but the course's staff before reading
the form, calls one operation of :mod:`lti_tool.library.staff`, and answers 303 to a
page that says what happened.
"""

from __future__ import annotations

from flask import redirect, url_for
from flask.typing import ResponseReturnValue

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.library.moderation import (
    Policy,
    StaffAction,
    actions_for_item,
    parse_staff_note,
)
from lti_tool.library import staff
from lti_tool.rich_text import sanitise
from lti_tool.web.context import services
from lti_tool.web.forms import load
from lti_tool.web.library.context import (
    Visit,
    authorise_comment,
    authorise_item,
    now,
    render_notice,
    require_staff,
    visit,
)
from lti_tool.web.library.forms import DecisionForm, PolicyForm

DECISIONS = {
    "approve": StaffAction.APPROVE,
    "hide": StaffAction.HIDE,
    "restore": StaffAction.RESTORE,
    "dismiss": StaffAction.DISMISS,
}
BUTTONS = {action: name for name, action in DECISIONS.items()}


def queue() -> ResponseReturnValue:
    current = visit()
    require_staff(current)
    shown = staff.queue_page(services().engine, current.context_id)
    return render_notice(
        "library/moderation.html",
        current,
        queue=shown.queue,
        policy=shown.policy,
        audit=shown.audit,
        names=shown.names,
        buttons=BUTTONS,
        sanitise=sanitise,
    )


def review_item(key: str) -> ResponseReturnValue:
    """Staff read an item (whatever its state) with its comments and open flags."""
    current = visit()
    item, review = staff.review_item(services().engine, current.viewer, key)
    return render_notice(
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


def _after_decision(current: Visit, action: StaffAction, back: str) -> ResponseReturnValue:
    # Only our own review page, by key: the form cannot send anyone elsewhere.
    if back.startswith("review:"):
        return redirect(
            url_for(
                "library.review_item",
                key=back.removeprefix("review:"),
                ls=current.token,
                notice=action.value,
            ),
            code=303,
        )
    return redirect(url_for("library.queue", ls=current.token, notice=action.value), code=303)


def decide_item(key: str) -> ResponseReturnValue:
    current, _item = authorise_item(key, staff=True)
    action, note, back = _decision()
    staff.decide_item(services().engine, current.viewer, key, action, note, now=now())
    return _after_decision(current, action, back)


def decide_comment(comment_id: int) -> ResponseReturnValue:
    current, _item = authorise_comment(comment_id, staff=True)
    action, note, back = _decision()
    staff.decide_comment(services().engine, current.viewer, comment_id, action, note, now=now())
    return _after_decision(current, action, back)


def policy() -> ResponseReturnValue:
    current = visit()
    require_staff(current)
    chosen = staff.policy_of(services().engine, current.context_id)
    return render_notice("library/policy.html", current, policy=chosen, policies=list(Policy))


def save_policy() -> ResponseReturnValue:
    current = visit()
    require_staff(current)
    try:
        chosen = Policy(load(PolicyForm())["policy"])
    except ValueError:
        raise BadRequest("Choose “open” or “approval”.", code="moderation_policy_unknown") from None
    changed = staff.set_policy(
        services().engine, current.course_viewer, current.context_id, chosen, now=now()
    )
    return redirect(
        url_for(
            "library.policy",
            ls=current.token,
            notice="policy-saved" if changed else "policy-unchanged",
        ),
        code=303,
    )
