"""A small requests-based browser for ``scripts/wheel_crawl.py``: pages parsed for their
links, forms and assets, forms filled and posted as a browser would, and every answer
checked (no 5xx, no error page). Standard library and ``requests`` only."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

ID = re.compile(r"\d+|[0-9a-f-]{16,}|[A-Za-z0-9_-]{22,}")  # numbers, uuids, tokens
BROKEN = ("TemplateNotFound", "Internal Server Error", "Traceback (most recent call last)")


class CrawlFailed(Exception):
    """A page that is broken, or a step of the crawl that could not be done."""


# -- HTML --------------------------------------------------------------------------------
@dataclass
class Form:
    """One ``<form>``: where it goes, its fields and its submit buttons."""

    action: str
    method: str
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)
    # name, type, value, checked: radio/checkbox choices offered (first one kept by default)
    choices: list[tuple[str, str, str, bool]] = field(default_factory=list)
    selects: dict[str, list[str]] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)
    textareas: list[str] = field(default_factory=list)

    def values(self, button: dict[str, str] | None = None, **overrides: str) -> dict[str, str]:
        """The values a browser would send, with ``overrides`` typed in by the user."""
        data: dict[str, str] = {}
        for name, value in self.fields:
            data.setdefault(name, value)
        for name, _kind, value, checked in self.choices:
            if checked:
                data.setdefault(name, value)
        for name, kind, value, _checked in self.choices:  # a required radio: first choice
            if kind == "radio":
                data.setdefault(name, value)
        for name, options in self.selects.items():
            if options:
                data.setdefault(name, options[0])
        if button and button.get("name"):
            data[button["name"]] = button.get("value", "")
        data.update(overrides)
        return data


class PageParser(HTMLParser):
    """Links, assets, iframes and forms of a page (what the crawl follows or submits)."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[tuple[str, dict[str, str]]] = []
        self.frames: list[str] = []
        self.assets: list[str] = []  # stylesheets and scripts the page loads
        self.meta: dict[str, str] = {}
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "a" and found.get("href"):
            self.links.append((urljoin(self.url, found["href"]), found))
        elif tag == "meta" and found.get("name"):
            self.meta[found["name"]] = found.get("content", "")
        elif (tag == "link" and found.get("rel") == "stylesheet" and found.get("href")) or (
            tag == "script" and found.get("src")
        ):
            self.assets.append(urljoin(self.url, found.get("href") or found["src"]))
        elif tag == "iframe" and found.get("src"):
            self.frames.append(urljoin(self.url, found["src"]))
        elif tag == "form":
            action = urljoin(self.url, found.get("action") or self.url)
            method = (found.get("method") or "get").lower()
            self._form = Form(action, method, found)
            self.forms.append(self._form)
        elif self._form is not None:
            self._form_tag(tag, found)

    def _form_tag(self, tag: str, found: dict[str, str]) -> None:
        if self._form is None:
            return
        name = found.get("name", "")
        kind = found.get("type", "text" if tag == "input" else "submit").lower()
        if (tag == "input" and kind in {"submit", "image"}) or (tag, kind) == ("button", "submit"):
            self._form.buttons.append(found)
        elif tag == "input" and name and kind in {"radio", "checkbox"}:
            checked = "checked" in found
            self._form.choices.append((name, kind, found.get("value", "on"), checked))
        elif tag == "input" and name and kind != "file":
            self._form.fields.append((name, found.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            value = found.get("value", "")
            self._select[1].append(value)
            if "selected" in found:
                self._select[2].append(value)
        elif tag == "textarea" and name:
            self._textarea = [name]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options, selected = self._select
            self._form.selects[name] = selected + [o for o in options if o not in selected]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, *text = self._textarea
            self._form.textareas.append(name)
            self._form.fields.append((name, "".join(text)))
            self._textarea = None


@dataclass
class Page:
    url: str
    status: int
    text: str
    content_type: str
    parsed: PageParser

    @property
    def kind(self) -> str:
        """The page's kind; a page shown at /lti/launch names its own address in a meta."""
        return kind_of(self.parsed.meta.get("peerlearn-address") or self.url)

    def forms_where(self, **attrs: str) -> list[Form]:
        return [f for f in self.parsed.forms if all(f.attrs.get(k) == v for k, v in attrs.items())]

    def form(self, **attrs: str) -> Form:
        found = self.forms_where(**attrs)
        if not found:
            raise CrawlFailed(f"{self.url}: no form with {attrs}")
        return found[0]

    def links(self, **attrs: str) -> list[str]:
        return [
            url
            for url, found in self.parsed.links
            if all(found.get(k) == v or (v == "*" and k in found) for k, v in attrs.items())
        ]


# -- browser -----------------------------------------------------------------------------
@dataclass
class Browser:
    """Follows redirects and auto-submitting forms; keeps cookies per host.

    requests will not send ``Secure`` cookies over plain http, where browsers do on
    loopback; so cookies are kept here by host and sent explicitly.
    """

    name: str
    http: requests.Session = field(default_factory=requests.Session)
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    seen: list[tuple[str, str, int]] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)  # every page it ended on
    assets: set[str] = field(default_factory=set)  # stylesheets and scripts loaded

    def request(self, method: str, url: str, data: dict[str, str] | None = None) -> Page:
        for _hop in range(12):
            host = urlsplit(url).netloc
            response = self.http.request(
                method,
                url,
                data=data,
                allow_redirects=False,
                timeout=30,
                cookies=self.cookies.get(host, {}),
            )
            self.cookies.setdefault(host, {}).update(response.cookies.get_dict())
            self.seen.append((method, url, response.status_code))
            check(method, url, response)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                method, data = "GET", None
                continue
            page = parse(url, response)
            self.load_assets(page)
            auto = page.forms_where(**{"data-autosubmit": ""})
            if auto:  # what autosubmit.js does in a browser
                form = auto[0]
                method, url, data = form.method.upper(), form.action, form.values()
                continue
            self.pages.append(page)
            return page
        raise CrawlFailed(f"{url}: too many redirects or automatic form posts")

    def get(self, url: str) -> Page:
        return self.request("GET", url)

    def load_assets(self, page: Page) -> None:
        """Fetch the page's stylesheets and scripts (once each), as a browser would."""
        for url in page.parsed.assets:
            if url in self.assets or urlsplit(url).netloc != urlsplit(page.url).netloc:
                continue
            self.assets.add(url)
            response = self.http.get(url, timeout=30)
            self.seen.append(("GET", url, response.status_code))
            if response.status_code != 200:
                raise CrawlFailed(f"{page.url} loads {url} -> {response.status_code}")

    def submit(self, form: Form, button: dict[str, str] | None = None, /, **typed: str) -> Page:
        data = form.values(button, **typed)
        if form.method == "get":
            parts = urlsplit(form.action)
            query = urlencode([*parse_qsl(parts.query), *data.items()])
            return self.get(urlunsplit(parts._replace(query=query)))
        return self.request("POST", form.action, data)


def parse(url: str, response: requests.Response) -> Page:
    content_type = response.headers.get("Content-Type", "")
    parser = PageParser(url)
    text = response.text if "html" in content_type else ""
    if text:
        parser.feed(text)
    return Page(url, response.status_code, text, content_type, parser)


def check(method: str, url: str, response: requests.Response) -> None:
    """Fail on a server error or a page that shows one."""
    if response.status_code >= 500:
        raise CrawlFailed(f"{method} {url} -> {response.status_code}: {gist(response.text)}")
    if "text" in response.headers.get("Content-Type", ""):
        for sign in BROKEN:
            if sign in response.text:
                raise CrawlFailed(f"{method} {url} -> {response.status_code} shows {sign!r}")


def gist(text: str, limit: int = 400) -> str:
    """A page's words without its markup and head, enough to say what went wrong."""
    body = re.split(r"<body[^>]*>", text, maxsplit=1)[-1]
    words = " ".join(re.sub(r"<[^>]*>", " ", body).split())
    return words[:limit]


def wait_until_up(base_url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            health = requests.get(base_url + "/healthz", timeout=2)
        except requests.RequestException:  # not listening yet, or still importing the app
            health = None
        if health is not None and health.status_code == 200:
            return
        if time.monotonic() > deadline:
            raise CrawlFailed(f"{base_url}/healthz never answered 200")
        time.sleep(0.3)


def kind_of(url: str) -> str:
    """A page kind: the path with its ids (numbers, long tokens) replaced."""
    path = urlsplit(url).path
    return "/".join("{id}" if ID.fullmatch(part) else part for part in path.split("/"))


def iter_same_site(page: Page, prefix: str) -> Iterator[str]:
    origin = urlsplit(page.url).netloc
    for url, _attrs in page.parsed.links:
        parts = urlsplit(url)
        if parts.netloc == origin and parts.path.startswith(prefix):
            yield url.split("#")[0]
