"""gunicorn settings for Peerlearn: ``gunicorn -c python:lti_tool.gunicorn_conf ...``.

The access log names each request with its query string and Referer, where launch
session tokens (``?ls=``) and LMS registration tokens travel: this logger class redacts
them from every field of the access log, whatever ``--access-logformat`` says, and from
the error log (which names the URL of a request that failed).
"""

from __future__ import annotations

from typing import Any

from gunicorn import glogging

from lti_tool.logs import REDACTED, RedactingFilter, redact

# The launch session header, should an operator log request headers.
_SECRET_HEADERS = ("{x-peerlearn-session}i",)


class RedactingLogger(glogging.Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(each, RedactingFilter) for each in self.error_log.filters):
            self.error_log.addFilter(RedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        cleaned = {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
        for name in _SECRET_HEADERS:
            if name in cleaned:
                cleaned[name] = REDACTED
        return cleaned


logger_class = RedactingLogger
