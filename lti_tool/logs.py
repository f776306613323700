"""Structured (JSON lines) logs: details go here, never to the user's screen.

Bearer tokens travel in URLs (the launch session ``?ls=``, an LMS's
``registration_token``), so every log Peerlearn configures passes through :func:`redact`:
these JSON logs, the development server's request log (``werkzeug``) and gunicorn's access
log (``lti_tool/gunicorn_conf.py``).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
REDACTED = "[redacted]"
# A query parameter naming a bearer token, plain or percent-encoded inside another URL
# (a Referer, a login's target link): its value runs to the next separator.
_TOKEN_PARAMETER = re.compile(
    r"(?i)((?:^|[?&;]|%3F|%26)(?:ls|registration_token)(?:=|%3D))(?:(?!%26|%23)[^&;#\s\"'])*"
)


def redact(text: str) -> str:
    """``text`` with the value of every ``ls`` and ``registration_token`` parameter replaced."""
    return _TOKEN_PARAMETER.sub(lambda found: found.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with tokens redacted (for loggers we do not format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


def configure_logging(level: int = logging.INFO) -> None:
    # The development server logs each request line, query string included.
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(each, RedactingFilter) for each in werkzeug.filters):
        werkzeug.addFilter(RedactingFilter())
    logger = logging.getLogger("peerlearn")
    if any(getattr(handler, "_peerlearn", False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._peerlearn = True  # type: ignore[attr-defined]  # marks ours, so we add it once
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
