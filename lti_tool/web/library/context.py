"""Opening a library page's context: who is looking, from which course, at what.

Every library view starts here. :func:`visit` reads the launch session and its course
(a launch outside a course has no library); :func:`open_item` also loads the item the
address names, as this viewer may see it (what they may not see is 404, so another
course learns nothing) and refuses what they may not do; :func:`authorise_item` and
:func:`authorise_comment` do the same for flags, moderation and sharing. The rest are
what every page shares: the recorder, the clock, the video allow-list, links back to an
item, and rendering with the session token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app, render_template, request, url_for

from lti_tool.domain.library.moderation import FlagReason, Viewer
from lti_tool.domain.library.permissions import CourseRelation
from lti_tool.domain.library.video import VideoProviders
from lti_tool.launch_session import LaunchSession
from lti_tool.learning_records.recorder import Recorder
from lti_tool.library import access, authoring, browsing
from lti_tool.library import staff as staff_acts
from lti_tool.library.access import CourseViewer, ItemAccess, ItemTarget
from lti_tool.web.context import current_launch, services
from lti_tool.web.forms import load
from lti_tool.web.library.forms import Asked, NoticeQuery, read_query

VIDEO_PROVIDERS = "peerlearn_library_video"  # app.extensions key of the allow-list

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
class Visit:
    """A launched person on a library page: the launch, its token, and their course."""

    launch: LaunchSession
    token: str
    context_id: int  # the launch's course (launches outside a course have no library)

    @property
    def user_id(self) -> int:
        return self.launch.user_id

    @property
    def is_staff(self) -> bool:
        return self.launch.is_staff

    @property
    def viewer(self) -> CourseViewer:
        """The person in their course, as the library's operations take them."""
        return CourseViewer(self.launch.user_id, self.context_id, self.launch.is_staff)

    @property
    def course_viewer(self) -> Viewer:
        """The viewer in their own course (for course-wide pages such as the queue)."""
        return Viewer(self.launch.user_id, self.launch.is_staff, CourseRelation.SAME)


def visit() -> Visit:
    """The request's launch in its course (403 ``library_needs_course`` outside one)."""
    launch, token = current_launch()
    return Visit(launch, token, access.course_of(launch))


def open_item(key: str, need: str = "view") -> tuple[Visit, ItemAccess]:
    """The visit and the item ``key`` names, if the viewer may ``need`` it."""
    launch, token = current_launch()
    found = authoring.open_item(services().engine, launch, key, need)
    return Visit(launch, token, found.context_id), found


def authorise_item(key: str, *, staff: bool = False) -> tuple[Visit, ItemTarget]:
    """The visit and the item ``key`` names, as flags, moderation and sharing see it;
    with ``staff``, refused (403) unless the viewer moderates it. Done before a form is
    read, so a refusal says nothing more."""
    current = visit()
    return current, staff_acts.authorise_item(services().engine, current.viewer, key, staff=staff)


def authorise_comment(comment_id: int, *, staff: bool = False) -> tuple[Visit, ItemTarget]:
    """The visit and the item of the comment, as :func:`authorise_item` does it."""
    current = visit()
    item = staff_acts.authorise_comment(services().engine, current.viewer, comment_id, staff=staff)
    return current, item


def require_staff(current: Visit) -> None:
    """Refuse (403 ``staff_only``) unless the visitor is staff of their course."""
    staff_acts.require_staff(current.course_viewer)


def open_listing() -> tuple[Visit, Asked]:
    """The visit and the listing its query string asks for (checked after the session
    and before the course)."""
    launch, token = current_launch()
    asked = read_query(request.args)
    return Visit(launch, token, access.course_of(launch)), asked


def recorder() -> Recorder:
    svc = services()
    return Recorder(
        routes=svc.xapi_routes, base_url=svc.settings.base_url, strict=svc.settings.is_development
    )


def now() -> datetime:
    return datetime.now(UTC)


def video_providers() -> VideoProviders:
    found: VideoProviders = current_app.extensions[VIDEO_PROVIDERS]
    return found


def item_url(current: Visit, item: ItemTarget, **extra: Any) -> str:
    """The item's own page."""
    return url_for("library.item", key=item.key, ls=current.token, **extra)


def item_page(key: str, token: str, anchor: str = "") -> str:
    """The item's page, where its votes, follows and discussion live."""
    return url_for("library.item", key=key, ls=token) + (f"#{anchor}" if anchor else "")


def render(template: str, current: Visit, **values: Any) -> str:
    """A library page: every one extends ``library/layout.html``, which needs the token."""
    return render_template(template, token=current.token, is_staff=current.is_staff, **values)


def render_notice(template: str, current: Visit, **values: Any) -> str:
    """A moderation or sharing page, with the notice the address chose (by key) and the
    link back to its item."""
    item = values.get("item")
    return render(
        template,
        current,
        notice=NOTICES.get(query_notice()),
        item_href=item_url(current, item) if isinstance(item, ItemTarget) else None,
        **values,
    )


def template_values() -> dict[str, Any]:
    """What every library template may use: the flag form's reasons
    (``library/_flag.html`` is included by several pages) and ``unread_notifications()``
    for the navigation (the launched person's unread count in their course, counted when
    the layout asks: one indexed count)."""

    def unread_notifications() -> int:
        return browsing.unread_count(services().engine, visit().viewer)

    return {"flag_reasons": list(FlagReason), "unread_notifications": unread_notifications}


def query_notice() -> str:
    """The ``notice`` key of the address (the table above picks the words)."""
    notice: str = load(NoticeQuery(), request.args)["notice"]
    return notice
