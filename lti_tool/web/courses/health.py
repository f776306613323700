"""The health check a load balancer or orchestrator asks."""

from __future__ import annotations

from functools import cache

from alembic.script import ScriptDirectory
from flask import Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lti_tool.persistence.migrate import alembic_config
from lti_tool.web.context import db


@cache
def schema_head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def healthz() -> tuple[Response, int]:
    """200 when the database answers and its schema is the one this code expects."""
    try:
        revision = db().execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return jsonify({"status": "unavailable", "database": "unreachable or not migrated"}), 503
    if revision != schema_head():
        return jsonify(
            {
                "status": "unavailable",
                "database": "ok",
                "schema": f"at {revision}, expected {schema_head()}: run 'peerlearn db upgrade'",
            }
        ), 503
    return jsonify({"status": "ok", "database": "ok", "schema": revision}), 200
