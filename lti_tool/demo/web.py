"""The demo LMS's pages: a course page with people to launch as, and the OIDC endpoints.

``lms_blueprint`` serves any :class:`DemoPlatform`; in development Peerlearn mounts one at
``/demo`` and registers it, and the test suite runs another as a separate server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Flask, Response, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.demo.platform import DemoError, DemoPlatform, ToolEndpoints, load_or_create_key
from lti_tool.persistence.models import Deployment, Platform

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
        frame_url = lms.login_url(chosen.id) if chosen else None
        return render_template(
            "demo/course.html", lms=lms, chosen=chosen, frame_url=frame_url, blueprint=name
        )

    @pages.get("/authorize")
    def authorize() -> Response:
        try:
            form = platform().authorize(request.args)
        except DemoError as error:
            return Response(render_template("demo/refused.html", reason=str(error)), status=400)
        return Response(render_template("demo/launch_form.html", form=form, blueprint=name))

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
) -> DemoPlatform:
    return DemoPlatform(
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
