"""The baseline: a bare pylti1p3 Flask tool, as its README sets one up.

Public key caching on, launch data in a flask-caching cache (in-memory ``SimpleCache``
for one worker; with several workers the in-memory cache cannot be shared, so
``BARE_CACHE=FileSystemCache`` is used there). Configured by ``BARE_*`` variables; run
with ``gunicorn 'benchmarks.bare_pylti1p3_tool:create_app()'``.
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfDict

PAGE = """<!doctype html><title>Bare tool</title>
<h1>Welcome, {{ name }}</h1><p>{{ course }}</p><p>{{ role }}</p>"""


def create_app() -> Flask:
    env = os.environ
    issuer, client_id = env["BARE_ISSUER"], env["BARE_CLIENT_ID"]
    conf = ToolConfDict(
        {
            issuer: [
                {
                    "default": True,
                    "client_id": client_id,
                    "auth_login_url": env["BARE_AUTH_URL"],
                    "auth_token_url": env["BARE_AUTH_URL"] + "/token",
                    "key_set_url": env["BARE_JWKS_URL"],
                    "deployment_ids": [env["BARE_DEPLOYMENT_ID"]],
                }
            ]
        }
    )
    with open(env["BARE_PRIVATE_KEY"], encoding="ascii") as handle:  # noqa: PTH123
        conf.set_private_key(issuer, handle.read(), client_id=client_id)

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="bare-tool-benchmark",
        CACHE_TYPE=env.get("BARE_CACHE", "SimpleCache"),
        CACHE_DIR=env.get("BARE_CACHE_DIR", "/tmp/bare-tool-cache"),  # noqa: S108
        CACHE_DEFAULT_TIMEOUT=600,
        CACHE_THRESHOLD=1_000_000,
    )
    cache = Cache(app)

    def storage() -> FlaskCacheDataStorage:
        return FlaskCacheDataStorage(cache)

    @app.route("/login", methods=["GET", "POST"])
    def login():  # type: ignore[no-untyped-def]
        oidc = FlaskOIDCLogin(FlaskRequest(), conf, launch_data_storage=storage())
        return oidc.redirect(env["BARE_BASE_URL"] + "/launch")

    @app.post("/launch")
    def launch():  # type: ignore[no-untyped-def]
        data_storage = storage()
        message_launch = FlaskMessageLaunch(FlaskRequest(), conf, launch_data_storage=data_storage)
        message_launch.set_public_key_caching(data_storage, cache_lifetime=7200)
        data = message_launch.get_launch_data()
        context = data.get("https://purl.imsglobal.org/spec/lti/claim/context", {})
        role = "staff" if message_launch.check_teacher_access() else "learner"
        return render_template_string(
            PAGE, name=data.get("name"), course=context.get("title"), role=role
        )

    return app
