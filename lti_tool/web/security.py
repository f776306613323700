"""Headers every response carries: the content security policy, no sniffing, no
referrer, no caching of pages, and a request id that ties a page to its log lines."""

from __future__ import annotations

import re
import uuid

from flask import Response, g, request

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Every page is shown inside an LMS iframe, so framing must be allowed; scripts and styles
# come only from us. Tokens travel in URLs, so no Referer leaves the tool.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors *"
)


def assign_request_id() -> None:
    """Keep a well-formed ``X-Request-Id`` from the proxy, or make one."""
    incoming = request.headers.get("X-Request-Id", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def security_headers(response: Response) -> Response:
    """The headers above; a view that set its own policy (an item page's frame-src) keeps it."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
