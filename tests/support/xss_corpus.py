"""A stored-XSS corpus and a checker for rendered pages.

Every payload either calls ``alert()`` or sets ``window.__xss``, so a real browser that
ran one shows a dialog or leaves the flag behind (tests/browser/test_library_xss.py). The
checker parses rendered HTML (the standard library's parser) and reports any active
markup: script elements, ``on*`` attributes, ``javascript:``/``data:``/``vbscript:``
addresses in URL attributes, frames and plugins outside the allow-listed video embed,
style attributes and elements, meta refresh, base, and SVG/MathML islands.

``Payload.active_raw`` says the payload is active markup when pasted into a page
unescaped; the checker's own tests (tests/unit/test_xss_checker.py) use it to show the
checker would catch each of them, so a clean page means something.

This is the project's one corpus: lib-mod's and lib-social's were merged here (payloads
that differed only in ``alert(1)`` against ``window.__xss=1`` kept once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Payload:
    category: str
    text: str
    active_raw: bool


def _group(category: str, active_raw: bool, *texts: str) -> list[Payload]:
    return [Payload(category, text, active_raw) for text in texts]


CORPUS: tuple[Payload, ...] = (
    *_group(
        "script",
        True,
        "<script>alert(1)</script>",
        "<SCRIPT>alert(1)</SCRIPT>",
        "<script>window.__xss=1</script>",
        '<script src="https://evil.example/x.js"></script>',
        "<script >alert(1)</script >",
        '"><script>alert(1)</script>',
        "'><script>alert(1)</script>",
        "</title><script>alert(1)</script>",
        "</textarea><script>alert(1)</script>",
        "</style><script>alert(1)</script>",
        "<script>alert(String.fromCharCode(88,83,83))</script>",
        "<<script>script>alert(1)//<</script>",
        '<script type="text/javascript">window.__xss=1</script>',
        "<template><script>alert(1)</script></template>",
        "\u202e<script>alert(1)</script>",
    ),
    *_group(
        "event handler",
        True,
        "<img src=x onerror=alert(1)>",
        '<img src=x onerror="window.__xss=1">',
        "<IMG SRC=x OnErRoR=alert(1)>",
        "<img src=x onerror=alert(1)//",
        "<body onload=alert(1)>",
        "<svg onload=alert(1)>",
        "<svg/onload=alert(1)>",
        "<input autofocus onfocus=alert(1)>",
        "<select autofocus onfocus=alert(1)></select>",
        "<textarea autofocus onfocus=alert(1)></textarea>",
        "<video><source onerror=alert(1)></video>",
        "<audio src=x onerror=alert(1)></audio>",
        "<details open ontoggle=alert(1)>",
        "<marquee onstart=alert(1)>x</marquee>",
        "<div onmouseover=alert(1)>hover</div>",
        "<a onclick=alert(1)>click</a>",
        "<body onpageshow=alert(1)>",
        "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
        '<img src=x onerror="&#x61;&#x6C;&#x65;&#x72;&#x74;(1)">',
        "<img src=x:alert(alt) onerror=eval(src) alt=0>",
        "<p onpointerenter=alert(1)>x</p>",
        "<input type=image src=x onerror=alert(1)>",
        "<div/onmouseover='alert(1)'>x</div>",
        "<img src=x onerror=alert(1) <",
        "</p><img src=x onerror=alert(1)><p>",
        "<object data=x onerror=alert(1)></object>",
    ),
    *_group(
        "dangerous address",
        True,
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href=" javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="jav&#x0A;ascript:alert(1)">x</a>',
        '<a href="javas&Tab;cript:alert(1)">x</a>',
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
        '<a href="&#x6A;avascript:alert(1)">x</a>',
        '<a href="javascript&colon;alert(1)">x</a>',
        '<a href="javascript&#58;alert(1)">x</a>',
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
        '&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
        '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
        '<object data="javascript:alert(1)"></object>',
        '<embed src="javascript:alert(1)">',
        '<form action="javascript:alert(1)"><input type=submit></form>',
        '<form><button formaction="javascript:alert(1)">x</button></form>',
        '<img src="javascript:alert(1)">',
        "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C"
        "&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
        '<base href="javascript:alert(1)//">',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<link rel=import href="data:text/html,<script>alert(1)</script>">',
        '<table><td background="javascript:alert(1)">x</td></table>',
        '<a """" href=javascript:alert(1)>x</a>',
        '<a href="javascript:alert(1)"',
    ),
    *_group(
        "svg and mathml",
        True,
        "<svg><script>alert(1)</script></svg>",
        "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
        "<svg><set attributeName=onmouseover to=alert(1)>",
        "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
        "<image href='1' onerror='alert(1)' /></svg>#x\"></use></svg>",
        '<svg><foreignObject><iframe srcdoc="<script>alert(1)</script>"></iframe>'
        "</foreignObject></svg>",
        '<math><a xlink:href="javascript:alert(1)">x</a></math>',
        '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
        '<math href="javascript:alert(1)">CLICK</math>',
        "<svg><image href=x onerror=alert(1)>",
        "<svg><a><animate attributeName=href values=javascript:alert(1) />"
        "<text x=20 y=20>x</text></a></svg>",
        "<svg><style><img src=x onerror=alert(1)></style></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ),
    *_group(
        "css",
        True,
        '<div style="background:url(javascript:alert(1))">x</div>',
        '<style>body{background:url("javascript:alert(1)")}</style>',
        '<div style="width:expression(alert(1))">x</div>',
        "<style>@import 'https://evil.example/x.css';</style>",
        '<link rel=stylesheet href="javascript:alert(1)">',
        '<div style="behavior: url(xss.htc)">x</div>',
        '<p style="-moz-binding:url(https://evil.example/x.xml#xss)">x</p>',
        "<style>*{x:expression(alert(1))}</style>",
    ),
    *_group(
        "malformed",
        True,
        '<img """><script>alert(1)</script>">',
        "<<img src=x onerror=alert(1)>>",
        '<!--<img src="--><img src=x onerror=alert(1)//">',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        "<title><img src=x onerror=alert(1)></title>",
        "<textarea><img src=x onerror=alert(1)></textarea>",
        "<xmp><img src=x onerror=alert(1)></xmp>",
        "<noembed><img src=x onerror=alert(1)></noembed>",
        "<iframe><img src=x onerror=alert(1)></iframe>",
        '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
        '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea>'
        '<img onerror=alert(1) src=1>">',
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
        '<svg><p><style><g title="</style><img src=x onerror=alert(1)>">',
        '<div id="1"><form id="t"></form><button form="t" formaction="javascript:alert(1)">'
        "X</button></div>",
    ),
    *_group(
        "encoded text",
        False,
        "%3Cscript%3Ealert(1)%3C/script%3E",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
        "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
        "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",  # full-width brackets
        "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
        "&lt;img src=x onerror=alert(1)&gt;",
        "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
        "<scr\u200bipt>alert(1)</scr\u200bipt>",
        '<a href="%6A%61%76%61%73%63%72%69%70%74:alert(1)">x</a>',
        '<a href="&#x26;#106;avascript:alert(1)">x</a>',
        '<a title="&quot;><script>alert(1)</script>">x</a>',
        "<listing>&lt;img src=1 onerror=alert(1)&gt;</listing>",
        "{{ 7*7 }}<%= 7*7 %>${7*7}",
        # A tag name may hold "<": browsers read "scr<script" as one unknown element.
        "<scr<script>ipt>alert(1)</script>",
        "${alert(1)}",
    ),
    *_group(
        "markdown",
        False,
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x]( javascript:alert(1) )",
        "[x](<javascript:alert(1)>)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "![x](javascript:alert(1))",
        '![x](x" onerror="alert(1))',
        '[x](https://example.com" onclick="alert(1))',
        "<javascript:alert(1)>",
        "<data:text/html,alert(1)>",
        "<vbscript:msgbox(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "[x](&#106;avascript:alert(1))",
        "[x](java%0ascript:alert(1))",
        "[a](javascript://%0aalert(1))",
        '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
        '[x](#" onclick="alert(1))',
        "<http://a.example/?<script>alert(1)</script>>",
        "www.example.com/javascript:alert(1)",
    ),
    *_group(
        "markdown with markup",
        True,
        "*<img src=x onerror=alert(1)>*",
        "[<img src=x onerror=alert(1)>](https://example.com)",
        "> <script>alert(1)</script>",
        "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
        "https://example.com/<script>alert(1)</script>",
        "# <svg onload=alert(1)>",
        "- <a href=javascript:alert(1)>x</a>",
        "`<script>alert(1)</script>`",
        "```html\n<script>alert(1)</script>\n```",
    ),
    # Vectors lib-social's corpus brought (merged here: one corpus, one checker).
    *_group(
        "script",
        True,
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<scRipt>window.__xss=1</scRipt>",
        "<<script>window.__xss=1//<</script>",
        "[a](https://ok.example)<script>window.__xss=1</script>",
    ),
    *_group(
        "event handler",
        True,
        "<image src=x onerror=window.__xss=1>",
        '<input autofocus onfocus="window.__xss=1">',
        "<keygen autofocus onfocus=window.__xss=1>",
        '<a href="https://ok.example" onclick="window.__xss=1">ok</a>',
        "<x onclick=window.__xss=1>custom</x>",
        "<img\x0bsrc=x\x0conerror=window.__xss=1>",
        "'><img src=x onerror=window.__xss=1>",
    ),
    *_group(
        "dangerous address",
        True,
        "<IMG SRC=javascript:window.__xss=1>",
        "<iframe src=javascript:window.__xss=1></iframe>",
        '<a href="data:image/svg+xml,<svg onload=window.__xss=1>">x</a>',
        "<isindex action=javascript:window.__xss=1 type=image>",
        "<table background=javascript:window.__xss=1>",
        "<base href=javascript:window.__xss=1//>",
    ),
    *_group(
        "css",
        True,
        "<style>@import 'javascript:window.__xss=1';</style>",
        "<style>*{background:url(//evil.example)}</style>",
    ),
    *_group(
        "inert lookalike",
        False,
        # Backticks are not quotes in HTML: the address starts with "`", no scheme.
        "<img src=`javascript:window.__xss=1`>",
        '<p title="</p><script>window.__xss=1</script>">x</p>',
        "<!--<script>window.__xss=1</script>-->",
        "<![CDATA[<script>window.__xss=1</script>]]>",
        # NUL makes the tag name "script\ufffd": an unknown element, not a script.
        "<script\x00>window.__xss=1</script>",
        "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    ),
    *_group(
        "markdown",
        False,
        '![x](https://ok.example/x.png "x\\" onerror=\\"window.__xss=1")',
        "[click](vbscript:window.__xss=1)",
        "[click](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        "[![x](https://ok.example/x.png)](javascript:window.__xss=1)",
        '<https://ok.example/" onmouseover="window.__xss=1>',
    ),
    *_group(
        "markdown with markup",
        True,
        "- <svg onload=window.__xss=1>",
        "**<img src=x onerror=window.__xss=1>**",
    ),
    *_group(
        "in running text",
        True,
        "Before <script>window.__xss=1</script> after",
        "Before <img src=x onerror=window.__xss=1> after",
        'Before <a href="javascript:window.__xss=1">x</a> after',
        "Before <svg onload=window.__xss=1> after",
    ),
)

# The only frames a library page may hold: sandboxed players of allow-listed providers.
VIDEO_EMBED = re.compile(
    r"^https://(www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]+"
    r"|player\.vimeo\.com/video/[0-9]+)(\?[A-Za-z0-9=&_-]*)?$"
)
# Our own scripts and stylesheets (the layout's), never anything an author wrote.
OWN_ASSET = re.compile(r"^/static/[a-z_]+\.(js|css)$")
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
     "srcset", "lowsrc", "dynsrc", "codebase", "cite", "longdesc", "usemap", "ping"}
)  # fmt: skip
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
FORBIDDEN_ELEMENTS = frozenset(
    {"object", "embed", "applet", "frame", "frameset", "base", "style", "svg", "math",
     "portal", "xml", "import", "template", "noscript"}
)  # fmt: skip
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def _scheme_is_bad(value: str) -> bool:
    squeezed = _INVISIBLE.sub("", value).lower()
    return squeezed.startswith(BAD_SCHEMES)


class _ActiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._script_depth and data.strip():
            self.problems.append(f"inline script: {data.strip()[:80]!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_depth = max(0, self._script_depth - 1)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        shown = f"<{tag} {' '.join(f'{n}={v!r}' for n, v in attrs)}>"[:160]
        self._check_element(tag, values, shown)
        for name, value in values.items():
            self._check_attribute(name, value, shown)

    def _check_element(self, tag: str, values: dict[str, str], shown: str) -> None:
        if tag == "script":
            self._script_depth += 1
            if not OWN_ASSET.match(values.get("src", "")):
                self.problems.append(f"script element: {shown}")
        elif tag == "link":
            if not OWN_ASSET.match(values.get("href", "")):
                self.problems.append(f"foreign link element: {shown}")
        elif tag == "iframe":
            if not (VIDEO_EMBED.match(values.get("src", "")) and "sandbox" in values):
                self.problems.append(f"frame outside the video allow-list: {shown}")
        elif tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"meta refresh: {shown}")
        elif tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"{tag} element: {shown}")

    def _check_attribute(self, name: str, value: str, shown: str) -> None:
        if name.startswith("on"):
            self.problems.append(f"event handler {name}: {shown}")
        elif name in {"style", "srcdoc"}:
            self.problems.append(f"{name} attribute: {shown}")
        elif (name in URL_ATTRIBUTES or name.endswith(":href")) and _scheme_is_bad(value):
            self.problems.append(f"dangerous address in {name}: {shown}")
        elif name == "content" and "url=" in _INVISIBLE.sub("", value).lower():
            target = _INVISIBLE.sub("", value).lower().split("url=", 1)[1]
            if _scheme_is_bad(target):
                self.problems.append(f"dangerous address in content: {shown}")


def active_markup(page_html: str) -> list[str]:
    """Every piece of active markup in ``page_html``; empty when the page is inert."""
    parser = _ActiveMarkup()
    parser.feed(page_html)
    parser.close()
    return parser.problems
