"""Hostile text in every field the authoring pages render (title, summary, body, link
title and description, topic, file name) comes back inert: escaped, or sanitised HTML
without scripts, handlers or active URLs."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.functional.conftest import LtiWorld
from tests.functional.library_support import Library

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "<iframe src=javascript:alert(1)>",
    "<object data=javascript:alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<style>@import 'javascript:alert(1)';</style>",
    '<meta http-equiv=refresh content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
    "<link rel=import href=data:text/html,<script>alert(1)</script>>",
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<x onclick=alert(1)>click",
)
FORBIDDEN_TAGS = {"object", "embed", "style", "svg", "math", "base", "frame", "frameset"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}


class ActiveMarkup(HTMLParser):
    """Every start tag as a browser sees it, with what could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "script" and not values.get("src", "").startswith("/static/"):
            self.found.append("<script> of ours? no")
        if tag == "iframe" and values.get("id") != "video":
            self.found.append("<iframe>")
        if tag == "meta" and "http-equiv" in values:
            self.found.append("<meta http-equiv>")
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            scheme = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name in URL_ATTRIBUTES and scheme.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}={value}]")


def assert_inert(html: str, payload: str) -> None:
    parser = ActiveMarkup()
    parser.feed(html)
    assert parser.found == [], (payload, parser.found)


def test_hostile_text_in_every_rendered_field_is_inert(world: LtiWorld) -> None:
    library = Library(world)
    library.open("demo-learner-1")
    library.open("demo-learner-2")
    for index, payload in enumerate(PAYLOADS):
        key = library.create(
            "demo-learner-1",
            kind="link",
            title=payload[:255],
            summary=payload,
            body=payload,
            link_url=f"https://example.org/{index}",
            link_title=payload[:255],
            link_description=payload,
            topics=f"t{index} {payload}"[:60].replace(",", " "),
        )
        library.upload("demo-learner-1", key, (payload.replace("/", "") + ".txt", b"plain text"))
        library.post("demo-learner-1", f"/items/{key}/publish")
        for path in (
            f"/items/{key}",
            f"/items/{key}/edit",
            f"/items/{key}/history",
            f"/items/{key}/history/1",
            "/mine",
        ):
            page = library.get("demo-learner-1", path)
            assert page.status == 200, (path, payload)
            assert_inert(page.text, payload)
        assert_inert(library.get("demo-learner-2", f"/items/{key}").text, payload)
    assert_inert(library.get("demo-learner-2", "/").text, "browse")
