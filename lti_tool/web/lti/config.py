"""What a platform needs to know about Peerlearn: our URLs and scopes, our key set, the
configuration page and Canvas's JSON configuration."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Response, jsonify, render_template

from lti_tool.courses.launches import DEEP_LINKING_REQUEST, RESOURCE_LINK_REQUEST
from lti_tool.domain.course_groups import GROUPS_SCOPE
from lti_tool.web.context import services

SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]
# Asked for in dynamic registration (only where the platform lists it as supported) and
# on the config page; not in Canvas's developer key, which refuses scopes it lacks.
REGISTRATION_SCOPES = [*SCOPES, GROUPS_SCOPE]


def tool_urls() -> dict[str, str]:
    settings = services().settings
    return {
        "login": settings.url_for_path("/lti/login"),
        "launch": settings.url_for_path("/lti/launch"),
        "jwks": settings.url_for_path("/.well-known/jwks.json"),
        "config": settings.url_for_path("/lti/config"),
        "canvas": settings.url_for_path("/lti/canvas.json"),
        "register": settings.url_for_path("/lti/register"),
    }


def jwks() -> Response:
    response = jsonify(services().key_ring.jwks())
    # Platforms cache this; a short max-age lets a rotation reach them quickly.
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def config_page() -> str:
    return render_template("config.html", urls=tool_urls(), scopes=REGISTRATION_SCOPES)


def canvas_placements(launch_url: str) -> list[dict[str, Any]]:
    """Course navigation opens Peerlearn's course page; the two selection placements open
    the activity picker (deep linking) from Canvas's assignment and module editors."""
    selection = {
        "message_type": DEEP_LINKING_REQUEST,
        "target_link_uri": launch_url,
        "selection_width": 900,
        "selection_height": 700,
    }
    return [
        {
            "placement": "course_navigation",
            "message_type": RESOURCE_LINK_REQUEST,
            "target_link_uri": launch_url,
            "text": "Peerlearn",
            "default": "enabled",
            "windowTarget": "_self",
        },
        {"placement": "assignment_selection", "text": "Peerlearn activity", **selection},
        {"placement": "link_selection", "text": "Peerlearn activity", **selection},
    ]


def canvas_json() -> Response:
    urls = tool_urls()
    domain = urlsplit(services().settings.base_url).hostname or ""
    return jsonify(
        {
            "title": "Peerlearn",
            "description": (
                "Peer learning: learners share what they know and review each other's work."
            ),
            "oidc_initiation_url": urls["login"],
            "target_link_uri": urls["launch"],
            "public_jwk_url": urls["jwks"],
            "scopes": SCOPES,
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "domain": domain,
                    "tool_id": "peerlearn",
                    # Names let peers and teachers recognise each other; email is not needed.
                    "privacy_level": "name_only",
                    "settings": {
                        "text": "Peerlearn",
                        "placements": canvas_placements(urls["launch"]),
                    },
                }
            ],
            # Course ids help staff match courses in reports; the id history lets
            # Peerlearn tell a copied course from a new one.
            "custom_fields": {
                "canvas_course_id": "$Canvas.course.id",
                "context_id_history": "$Context.id.history",
            },
        }
    )
