"""The partials other library pages include: the flag form and the author's moderation
notice, rendered by the real app as the item page and the comment thread include them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask, render_template_string

from lti_tool import create_app
from lti_tool.domain.library.moderation import FlagReason
from lti_tool.domain.library.permissions import ItemState
from lti_tool.launch_session import LaunchSession
from lti_tool.library.access import ItemTarget
from lti_tool.web.library.context import Visit, item_url
from tests.conftest import make_settings
from tests.support.keys import install_tool_keys


@pytest.fixture
def app(tmp_path: Path, sqlite_template: Path) -> Iterator[Flask]:
    database = tmp_path / "db.sqlite3"
    database.write_bytes(sqlite_template.read_bytes())
    settings = make_settings(tmp_path, database_url=f"sqlite:///{database}")
    install_tool_keys(settings.keys_dir)
    app = create_app(settings)
    yield app
    app.extensions["peerlearn"].close()


ITEM = SimpleNamespace(key="k-1", state="published")


def test_the_item_flag_form(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string(
            '{% include "library/_flag.html" %}', item=ITEM, token="TOKEN"
        )
    assert 'action="/app/library/items/k-1/flag"' in html
    assert '<input type="hidden" name="ls" value="TOKEN">' in html
    for reason in FlagReason:
        assert f'<option value="{reason.value}">' in html
    assert 'maxlength="500"' in html


def test_a_comment_flag_form_inside_a_thread(app: Flask) -> None:
    thread = (
        "{% for comment in comments %}{% set flag_comment_id = comment.id %}"
        '{% include "library/_flag.html" %}{% endfor %}'
    )
    with app.test_request_context():
        html = render_template_string(
            thread, item=ITEM, token="T", comments=[SimpleNamespace(id=3), SimpleNamespace(id=4)]
        )
    assert 'action="/app/library/comments/3/flag"' in html
    assert 'action="/app/library/comments/4/flag"' in html
    assert 'id="flag-comment-4"' in html
    assert "/items/k-1/flag" not in html


def test_the_moderation_notice(app: Flask) -> None:
    include = '{% include "library/_moderation_notice.html" %}'
    with app.test_request_context():
        told = render_template_string(
            include, item=ITEM, moderation_notice="Your item <b>x</b> was hidden."
        )
        pending = render_template_string(
            include, item=SimpleNamespace(state="pending"), moderation_notice=None
        )
        nothing = render_template_string(include, item=ITEM, moderation_notice=None)
    assert "Your item &lt;b&gt;x&lt;/b&gt; was hidden." in told
    assert "waits for staff approval" in pending
    assert nothing.strip() == ""


def test_links_to_the_item_page(app: Flask) -> None:
    launch = LaunchSession(
        user_id=1,
        platform_id=1,
        context_id=1,
        resource_link_id=None,
        course_role="staff",
        launch_id="x",
        issued_at=0,
    )
    current = Visit(launch, "T", 1)
    item = ItemTarget(
        id=1,
        key="k-1",
        context_id=1,
        author_id=None,
        kind="tip",
        state=ItemState.PUBLISHED,
        title="t",
        summary="",
        body_html="",
        updated_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    with app.test_request_context():
        assert item_url(current, item, notice="flagged") == (
            "/app/library/items/k-1?ls=T&notice=flagged"
        )
