"""The stored-XSS checker catches what it must, so a page it finds clean is clean."""

from __future__ import annotations

import pytest
from markupsafe import escape

from tests.support.xss_corpus import CORPUS, Payload, active_markup

PAGE = (
    '<!doctype html><html><head><link rel="stylesheet" href="/static/peerlearn.css">'
    '<script src="/static/session.js" defer></script></head><body><main>{}</main></body></html>'
)


def test_the_corpus_is_large_and_varied() -> None:
    assert len(CORPUS) >= 100
    assert len({payload.text for payload in CORPUS}) == len(CORPUS)
    categories = {payload.category for payload in CORPUS}
    assert {"script", "event handler", "dangerous address", "svg and mathml", "css",
            "malformed", "encoded text", "markdown", "markdown with markup",
            "inert lookalike", "in running text"} <= categories  # fmt: skip


@pytest.mark.parametrize("payload", [p for p in CORPUS if p.active_raw], ids=lambda p: p.text[:40])
def test_every_active_payload_is_caught_when_pasted_raw(payload: Payload) -> None:
    assert active_markup(PAGE.format(payload.text)), payload.text


@pytest.mark.parametrize("payload", CORPUS, ids=lambda p: p.text[:40])
def test_every_payload_escaped_is_inert(payload: Payload) -> None:
    assert active_markup(PAGE.format(escape(payload.text))) == []
    assert active_markup(f'<p title="{escape(payload.text)}">x</p>') == []


def test_our_own_assets_and_the_video_embed_pass() -> None:
    assert active_markup(PAGE.format("<p>hello</p>")) == []
    embed = (
        '<iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" '
        'sandbox="allow-scripts allow-same-origin" allowfullscreen></iframe>'
    )
    assert active_markup(embed) == []
    assert active_markup(embed.replace(" sandbox=", " data-x=")) != []
    assert active_markup(embed.replace("youtube-nocookie.com", "evil.example")) != []


@pytest.mark.parametrize(
    "markup",
    [
        '<script src="/static/../evil.js"></script>',
        '<script src="/static/session.js">alert(1)</script>',
        '<link rel="stylesheet" href="https://evil.example/x.css">',
        '<meta http-equiv="Refresh" content="0; URL=javascript:alert(1)">',
        '<a xlink:href="javascript:alert(1)">x</a>',
        '<a href="  &#x09;JAVA&#x0A;SCRIPT:alert(1)">x</a>',
        "<p style=color:red>x</p>",
        "<base href=/>",
    ],
)
def test_each_rule(markup: str) -> None:
    assert active_markup(markup), markup
