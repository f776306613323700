"""Stored-XSS payloads for the library's social fields (comments, replies, topic
requests), and a structural check that none survives as active markup in a page.

Payloads set ``window.__xss`` or open a dialog if they ever run, so a real browser can
tell; the HTML check does not need them to run.
"""

from __future__ import annotations

from html.parser import HTMLParser

_RUN = "window.__xss=1"
_BASE = [
    f"<script>{_RUN}</script>",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    f"<scr<script>ipt>{_RUN}</scr</script>ipt>",
    f"<img src=x onerror={_RUN}>",
    "<img src=x onerror=alert(1)//",
    f'<img src="x" onerror="{_RUN}">',
    f"<IMG SRC=javascript:{_RUN}>",
    f"<img src=`javascript:{_RUN}`>",
    f"<image src=x onerror={_RUN}>",
    f"<svg onload={_RUN}>",
    f"<svg><script>{_RUN}</script></svg>",
    f"<svg><animate onbegin={_RUN} attributeName=x dur=1s>",
    f'<svg><a xlink:href="javascript:{_RUN}"><text x="20" y="20">click</text></a></svg>',
    f"<math><mtext><table><mglyph><style><img src=x onerror={_RUN}>",
    f"<body onload={_RUN}>",
    f"<iframe src=javascript:{_RUN}></iframe>",
    f'<iframe srcdoc="<script>{_RUN}</script>"></iframe>',
    f"<object data=javascript:{_RUN}></object>",
    f"<embed src=javascript:{_RUN}>",
    f'<a href="javascript:{_RUN}">click</a>',
    f'<a href="JaVaScRiPt:{_RUN}">click</a>',
    f'<a href="jav&#x09;ascript:{_RUN}">click</a>',
    f'<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{_RUN}">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    f'<a href=" javascript:{_RUN}">x</a>',
    f'<div style="background:url(javascript:{_RUN})">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    f"<style>@import 'javascript:{_RUN}';</style>",
    "<style>*{background:url(//evil.example)}</style>",
    f'<input autofocus onfocus="{_RUN}">',
    f"<details open ontoggle={_RUN}>",
    f"<marquee onstart={_RUN}>",
    f"<video><source onerror={_RUN}></video>",
    f"<audio src=x onerror={_RUN}>",
    f'<form action="javascript:{_RUN}"><button>go</button></form>',
    f'<button formaction="javascript:{_RUN}">go</button>',
    f"<base href=javascript:{_RUN}//>",
    f'<meta http-equiv="refresh" content="0;url=javascript:{_RUN}">',
    f'<link rel=import href="data:text/html,<script>{_RUN}</script>">',
    f"<table background=javascript:{_RUN}>",
    f'<p title="</p><script>{_RUN}</script>">x</p>',
    f"<!--<script>{_RUN}</script>-->",
    f"<![CDATA[<script>{_RUN}</script>]]>",
    f'<noscript><p title="</noscript><img src=x onerror={_RUN}>">',
    f"<template><script>{_RUN}</script></template>",
    f'"><script>{_RUN}</script>',
    f"'><img src=x onerror={_RUN}>",
    f"</textarea><script>{_RUN}</script>",
    f"</title><script>{_RUN}</script>",
    f"<<script>{_RUN}//<</script>",
    f"<scRipt>{_RUN}</scRipt>",
    f"<script\x00>{_RUN}</script>",
    f"<img\x0bsrc=x\x0conerror={_RUN}>",
    f"\uff1cscript\uff1e{_RUN}\uff1c/script\uff1e",
    f"%3Cscript%3E{_RUN}%3C/script%3E",
    f"&lt;script&gt;{_RUN}&lt;/script&gt;",
    f'<a href="https://ok.example" onclick="{_RUN}">ok</a>',
    f'<a href="https://ok.example" onmouseover={_RUN}>ok</a>',
    f"<p onclick={_RUN}>p</p>",
    f"<x onclick={_RUN}>custom</x>",
    f"<div/onmouseover={_RUN}>x</div>",
    f'<a href="data:image/svg+xml,<svg onload={_RUN}>">x</a>',
    f"<isindex action=javascript:{_RUN} type=image>",
    f"<keygen autofocus onfocus={_RUN}>",
]
# The same vectors through Markdown: links, images, autolinks, reference links, code.
_MARKDOWN = [
    f"[click](javascript:{_RUN})",
    f"[click](JAVASCRIPT:{_RUN})",
    f"[click]( javascript:{_RUN} )",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    f"![x](javascript:{_RUN})",
    f'![x](https://ok.example/x.png "x\\" onerror=\\"{_RUN}")',
    f"<javascript:{_RUN}>",
    f"[ref]\n\n[ref]: javascript:{_RUN}",
    f'[x](https://ok.example "title\\" onclick=\\"{_RUN}")',
    f"`<script>{_RUN}</script>`",
    f"```\n<script>{_RUN}</script>\n```",
    f"**<img src=x onerror={_RUN}>**",
    f"> <script>{_RUN}</script>",
    f"- <svg onload={_RUN}>",
    f"# <iframe src=javascript:{_RUN}>",
    f"| a |\n|---|\n| <img src=x onerror={_RUN}> |",
    f"[a](https://ok.example)<script>{_RUN}</script>",
]
PAYLOADS: tuple[str, ...] = (
    *_BASE,
    *_MARKDOWN,
    *(f"Before {payload} after" for payload in _BASE[:20]),
)

# What the tool's own pages may contain: forms, but no active content from users.
_NEVER = {
    "script", "iframe", "object", "embed", "svg", "math", "style", "img", "image", "base",
    "link", "video", "audio", "source", "marquee", "template", "isindex", "keygen", "meta",
    "frame", "frameset", "applet",
}  # fmt: skip
_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "data"}


class _Audit(HTMLParser):
    def __init__(self, allowed_scripts: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_scripts = allowed_scripts
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src") in self.allowed_scripts:
            return
        if tag == "link" and values.get("rel") == "stylesheet":
            return
        if tag == "meta" and set(values) <= {"charset", "name", "content"}:
            if values.get("name") not in (None, "viewport", "peerlearn-session"):
                self.problems.append(f"meta {values}")
            return
        if tag in _NEVER:
            self.problems.append(f"<{tag}> {values}")
        for name, value in attrs:
            if name.startswith("on") or name in {"style", "srcdoc"}:
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in _URL_ATTRIBUTES and value is not None:
                squeezed = "".join(value.split()).lower()
                if not squeezed.startswith(("http://", "https://", "mailto:", "/", "#")):
                    self.problems.append(f"<{tag} {name}={value!r}>")


def active_markup(page: str, *, allowed_scripts: set[str]) -> list[str]:
    """Every tag, attribute or URL in ``page`` that could run code or load content."""
    audit = _Audit(allowed_scripts)
    audit.feed(page)
    audit.close()
    return audit.problems
