"""The demo LMS's pages: a course page with people to launch as, and the OIDC endpoints.

``lms_blueprint`` serves any :class:`DemoPlatform`; in development Peerlearn mounts one at
``/demo`` and registers it, and the test suite runs another as a separate server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, abort, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.demo.course_groups import filter_by_group, register_course_groups
from lti_tool.demo.gradebook import Gradebook, GradebookError
from lti_tool.demo.platform import (
    DEEP_LINKING_HINT,
    DEMO_PEOPLE,
    DemoError,
    DemoPlatform,
    Person,
    ToolEndpoints,
    load_or_create_key,
)
from lti_tool.persistence.models import Deployment, Platform

LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
DEMO_CLIENT_ID = "peerlearn-demo"
DEMO_DEPLOYMENT_ID = "demo-deployment-1"
HERE = Path(__file__).parent


def lms_blueprint(name: str, platform: Callable[[], DemoPlatform]) -> Blueprint:
    pages = Blueprint(
        name,
        __name__,
        template_folder="templates",
        static_folder=str(HERE.parent / "web" / "static"),
        static_url_path="/lms-static",
    )

    @pages.after_request
    def _lms_policy(response: Response) -> Response:
        # An LMS page frames the tool (another site) and posts forms to it.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; frame-src *; form-action *; frame-ancestors *",
        )
        return response

    @pages.get("/")
    def course() -> str:
        lms = platform()
        chosen = lms.people.get(request.args.get("as", ""))
        link_id = request.args.get("link") or lms.course.link_id
        if link_id != DEEP_LINKING_HINT and link_id not in lms.links:
            abort(404)
        # ?storage=1 or 0 overrides the platform's choice of offering Platform Storage.
        choice = request.args.get("storage")
        storage = lms.platform_storage if choice is None else choice == "1"
        frame_url = lms.login_url(chosen.id, link_id=link_id, storage=storage) if chosen else None
        return render_template(
            "demo/course.html",
            lms=lms,
            chosen=chosen,
            frame_url=frame_url,
            blueprint=name,
            link_id=link_id,
            deep_linking=DEEP_LINKING_HINT,
            storage=storage,
            storage_choice=choice,
        )

    @pages.get("/authorize")
    def authorize() -> Response:
        try:
            form = platform().authorize(request.args)
        except DemoError as error:
            return Response(render_template("demo/refused.html", reason=str(error)), status=400)
        return Response(render_template("demo/launch_form.html", form=form, blueprint=name))

    @pages.post("/deep-linking/return")
    def deep_linking_return() -> Response:
        try:
            added = platform().accept_deep_linking_response(request.form.get("JWT", ""))
        except DemoError as error:
            return Response(render_template("demo/refused.html", reason=str(error)), status=400)
        return Response(render_template("demo/links_added.html", added=added, blueprint=name))

    register_gradebook(pages, platform)
    register_roster(pages, platform)
    register_course_groups(pages, platform)

    @pages.post("/token")
    def token() -> tuple[Response, int]:
        try:
            return jsonify(platform().access_token(request.form)), 200
        except Exception as error:  # any refusal is an OAuth invalid_client
            return jsonify({"error": "invalid_client", "error_description": str(error)}), 400

    @pages.get("/jwks.json")
    def jwks() -> Response:
        return jsonify(platform().jwks())

    return pages


LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
READ_SCOPES = [LINEITEM_SCOPE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"]
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RESULT_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
PAGE_SIZE = 10


def register_gradebook(pages: Blueprint, platform: Callable[[], DemoPlatform]) -> None:
    """AGS endpoints over the demo platform's gradebook, with bearer tokens checked."""

    def guard(scopes: list[str]) -> Gradebook:
        lms = platform()
        if not lms.gradebook_online:
            abort(503)  # the LMS's gradebook is down (tests switch it off and on)
        if not lms.authorised(request.headers.get("Authorization"), scopes):
            abort(401)
        return lms.gradebook

    def answer(payload: Any, media_type: str, status: int = 200) -> Response:
        return Response(json.dumps(payload), status=status, content_type=media_type)

    @pages.route("/ags/lineitems", methods=["GET", "POST"])
    def line_items() -> Response:
        if request.method == "POST":
            book = guard([LINEITEM_SCOPE])
            return answer(book.create(request.get_json(force=True)), LINEITEM, 201)
        book = guard(READ_SCOPES)
        found = book.find(
            resource_link_id=request.args.get("resource_link_id"),
            tag=request.args.get("tag"),
            resource_id=request.args.get("resource_id"),
        )
        page = int(request.args.get("page", "1"))
        chunk = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        response = answer(chunk, CONTAINER)
        if page * PAGE_SIZE < len(found):
            query = {**request.args.to_dict(), "page": str(page + 1)}
            response.headers["Link"] = f'<{book.base_url}?{urlencode(query)}>; rel="next"'
        return response

    @pages.route("/ags/lineitems/<item_id>", methods=["GET", "PUT", "DELETE"])
    def line_item(item_id: str) -> Response:
        book = guard(READ_SCOPES if request.method == "GET" else [LINEITEM_SCOPE])
        if request.method == "GET":
            return answer(book.get(item_id), LINEITEM)
        if request.method == "PUT":
            return answer(book.update(item_id, request.get_json(force=True)), LINEITEM)
        book.delete(item_id)
        return Response(status=204)

    @pages.post("/ags/lineitems/<item_id>/scores")
    def scores(item_id: str) -> Response:
        guard([SCORE_SCOPE]).add_score(item_id, request.get_json(force=True))
        return Response(status=204)

    @pages.get("/ags/lineitems/<item_id>/results")
    def results(item_id: str) -> Response:
        found = guard([RESULT_SCOPE]).results(item_id, request.args.get("user_id"))
        return answer(found, RESULTS)

    @pages.errorhandler(GradebookError)
    def _refused(error: GradebookError) -> Response:
        return Response(
            json.dumps({"error": str(error)}), status=error.status, content_type="application/json"
        )


MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def register_roster(pages: Blueprint, platform: Callable[[], DemoPlatform]) -> None:
    """Names and Role Provisioning Services: the course roster, paged by ``limit``.

    ``group=<id>`` lists that course group's members (LTI Course Groups Service).
    ``next=body`` puts the next page's URL in the body instead of a ``Link`` header, as
    some platforms do. Each answer offers a ``rel="differences"`` link (``since`` = the
    roster version now); one older than the platform's change log answers 410.
    """

    @pages.get("/nrps/memberships")
    def memberships() -> Response:
        lms = platform()
        if not lms.authorised(request.headers.get("Authorization"), [MEMBERSHIP_SCOPE]):
            abort(401)
        version = lms.roster_version
        since = request.args.get("since")
        if since is not None and not (
            since.isdigit() and lms.changes_kept_from <= int(since) <= version
        ):
            gone = {"error": "differences for this version are no longer available"}
            return Response(json.dumps(gone), status=410, content_type="application/json")
        members = filter_by_group(
            lms.course_groups,
            lms.members(int(since) if since is not None else None),
            request.args.get("group"),
        )
        if members is None:
            abort(404)  # no such group
        limit = int(request.args.get("limit", str(len(members) or 1)))
        page = int(request.args.get("page", "1"))
        body: dict[str, Any] = {
            "id": lms.memberships_url,
            "context": {"id": lms.course.id, "label": lms.course.label, "title": lms.course.title},
            "members": members[(page - 1) * limit : page * limit],
        }
        links = []
        if page * limit < len(members):
            query = {**request.args.to_dict(), "page": str(page + 1)}
            following = f"{request.base_url}?{urlencode(query)}"
            if request.args.get("next") == "body":
                body["next"] = following
            else:
                links.append(f'<{following}>; rel="next"')
        if lms.offer_differences:
            query = {k: v for k, v in request.args.items() if k not in {"page", "since"}}
            query["since"] = str(version)
            links.append(f'<{request.base_url}?{urlencode(query)}>; rel="differences"')
        response = Response(json.dumps(body), content_type=MEMBERSHIPS)
        if links:
            response.headers["Link"] = ", ".join(links)
        return response


def register_demo(app: Flask) -> None:
    """Mount the demo LMS at ``/demo`` (development only)."""
    services = app.extensions["peerlearn"]
    settings = services.settings
    cache: dict[str, DemoPlatform] = {}

    def platform() -> DemoPlatform:
        if "platform" not in cache:
            cache["platform"] = build_demo_platform(
                issuer=settings.url_for_path("/demo"),
                tool_base_url=settings.base_url,
                key_path=settings.instance_dir / "demo-platform-key.pem",
            )
        return cache["platform"]

    app.extensions["peerlearn_demo"] = platform
    app.register_blueprint(lms_blueprint("demo", platform), url_prefix="/demo")


def build_demo_platform(
    *,
    issuer: str,
    tool_base_url: str,
    key_path: Path,
    client_id: str = DEMO_CLIENT_ID,
    deployment_id: str = DEMO_DEPLOYMENT_ID,
    people: tuple[Person, ...] = DEMO_PEOPLE,
) -> DemoPlatform:
    return DemoPlatform(
        people=people,
        issuer=issuer,
        client_id=client_id,
        deployment_id=deployment_id,
        private_key=load_or_create_key(key_path),
        tool=ToolEndpoints(
            login_url=tool_base_url + "/lti/login",
            launch_url=tool_base_url + "/lti/launch",
            jwks_url=tool_base_url + "/.well-known/jwks.json",
        ),
    )


def register_platform(
    sessions: sessionmaker[Session], lms: DemoPlatform, *, name: str = "Demo LMS"
) -> int:
    """Register ``lms`` in Peerlearn's database (idempotent); returns the platform id."""
    with sessions.begin() as session:
        row = session.scalars(
            select(Platform).where(
                Platform.issuer == lms.issuer, Platform.client_id == lms.client_id
            )
        ).one_or_none()
        if row is None:
            row = Platform(
                issuer=lms.issuer,
                client_id=lms.client_id,
                name=name,
                auth_login_url="",
                auth_token_url="",
                jwks_url="",
            )
            session.add(row)
        row.auth_login_url = lms.issuer + "/authorize"
        row.auth_token_url = lms.issuer + "/token"
        row.jwks_url = lms.issuer + "/jwks.json"
        session.flush()
        if not any(d.deployment_id == lms.deployment_id for d in row.deployments):
            session.add(Deployment(platform_id=row.id, deployment_id=lms.deployment_id))
        return row.id
