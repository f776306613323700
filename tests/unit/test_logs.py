"""Tokens in URLs are redacted from Peerlearn's logs (issue 12, item 9)."""

from __future__ import annotations

import json
import logging

import pytest

from lti_tool.logs import REDACTED, JsonFormatter, RedactingFilter, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /app?ls=abc.DEF-gh_1 HTTP/1.1", f"GET /app?ls={REDACTED} HTTP/1.1"),
        ("/p?a=1&ls=t.k&b=2", f"/p?a=1&ls={REDACTED}&b=2"),
        ("/p?LS=t;b=2", f"/p?LS={REDACTED};b=2"),
        (
            "/lti/register?registration_token=eyJ.a.b",
            f"/lti/register?registration_token={REDACTED}",
        ),
        (
            "/login?target=https%3A%2F%2Ft%2Fapp%3Fls%3Dtok.en%26y%3D1",
            f"/login?target=https%3A%2F%2Ft%2Fapp%3Fls%3D{REDACTED}%26y%3D1",
        ),
        ("/p?als=keep&tools=keep", "/p?als=keep&tools=keep"),
        ("ls=tok&x=1", f"ls={REDACTED}&x=1"),  # gunicorn's bare query string atom
        ('"GET /app?ls=x#top HTTP/1.1"', f'"GET /app?ls={REDACTED}#top HTTP/1.1"'),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_json_logs_redact_the_message_and_every_field() -> None:
    record = logging.makeLogRecord(
        {
            "name": "peerlearn.test",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "fetched %s",
            "args": ("/app?ls=secret-in-message",),
            "url": "https://t/lti/register?registration_token=secret-in-extra",
        }
    )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["event"] == f"fetched /app?ls={REDACTED}"
    assert entry["url"] == f"https://t/lti/register?registration_token={REDACTED}"
    assert "secret-in" not in line


def test_the_filter_rewrites_a_werkzeug_record() -> None:
    record = logging.makeLogRecord(
        {"msg": '127.0.0.1 - - "%s" %s %s', "args": ("GET /app?ls=tok HTTP/1.1", "200", "-")}
    )
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f'127.0.0.1 - - "GET /app?ls={REDACTED} HTTP/1.1" 200 -'


def test_gunicorn_error_log_redacts_the_failed_request_url() -> None:
    from gunicorn.config import Config  # noqa: PLC0415

    from lti_tool.gunicorn_conf import RedactingLogger  # noqa: PLC0415

    logger = RedactingLogger(Config())
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    logger.error_log.addHandler(Keep())
    logger.error("Error handling request %s", "/app?ls=secret-token")
    assert seen == [f"Error handling request /app?ls={REDACTED}"]
