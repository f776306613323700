"""Learners' rich text: sanitised against an allow-list before it is stored or shown.

Only structural and inline formatting survive, and links (http, https, mailto) that open
without a referrer; scripts, styles, event handlers, frames and forms never do. The result
is stored as is and rendered as trusted HTML, so every path that stores rich text goes
through :func:`sanitise`.
"""

from __future__ import annotations

import nh3

TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "code",
        "pre", "ul", "ol", "li", "h2", "h3", "h4", "a", "hr", "table", "thead", "tbody",
        "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LIMIT = 200_000


def sanitise(html: str) -> str:
    """Allow-listed HTML from anything a browser might send."""
    return nh3.clean(
        html[:LIMIT],
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def is_blank(html: str) -> bool:
    """True when sanitised HTML holds no visible text."""
    return not nh3.clean(html, tags=set()).strip()
