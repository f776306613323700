"""Open every page kind of a running Peerlearn through real demo LMS launches.

Used by ``scripts/check-wheel`` against a server installed from the wheel; it needs only
``requests`` (a Peerlearn dependency) and the standard library, and imports nothing of
Peerlearn: it works through URLs and HTML as a browser does, so it keeps working while
the web layer's modules and templates move.

    python scripts/wheel_crawl.py http://127.0.0.1:8000

The demo teacher places a course home, a peer review and a library activity through the
deep-linking picker; people launch into them from the demo course page; the real forms
create calibration examples, submissions, calibration attempts, reviews, library items,
comments, votes, follows and flags; then the pages linked under ``/app`` are opened, a
few of each page kind (the path with its ids replaced), with the stylesheets and scripts
they load. It exits non-zero, naming the URL, on any 5xx, a missing stylesheet or script,
a page that mentions ``TemplateNotFound`` or ``Internal Server Error``, a link that leads
to a 404, or when a page kind in ``REQUIRED`` was never opened.
"""

from __future__ import annotations

import re
import sys
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


# -- the crawl ---------------------------------------------------------------------------
DEMO_TEACHER = "demo-teacher"
PUBLIC = "nobody"  # a browser with no launch
LEARNERS = ("demo-learner-1", "demo-learner-2")
PAGES_PER_SESSION = 80
PUBLIC_PAGES = ("/healthz", "/lti/config", "/lti/canvas.json", "/.well-known/jwks.json")
#: activity kind in the picker -> what the teacher types into its settings form
PLACEMENTS = {
    "course-home": {"title": "Start here", "text": "Where peers meet."},
    "peer-review": {
        "title": "Essay review",
        "text": "Review each other's essays.",
        "instructions": "Write one page.",
        "allocation": "queue",  # learners take a review as soon as work is in
        "calibration": "on",
        "submissions_due": "2099-01-01T12:00",
        "reviews_due": "2099-02-01T12:00",
    },
    "library": {"title": "Course library"},
}
# The page kinds a whole crawl must have opened (2xx), so that a crawl that saw little
# cannot pass. A page moved to a new address belongs here under its new one.
REQUIRED = frozenset(
    f"{path} as {role}"
    for role, paths in {
        "public": list(PUBLIC_PAGES),
        "staff": [
            "/demo/",
            "/app",
            "/app/profile",
            "/app/roster",
            "/app/deep-linking",
            "/app/deep-linking/peer-review",
            "/app/deep-linking/library",
            "/demo/deep-linking/return",
            # peer review: dashboard and staff pages
            "/app/peer-review/{id}",
            "/app/peer-review/{id}/settings",
            "/app/peer-review/{id}/rubrics",
            "/app/peer-review/{id}/groups",
            "/app/peer-review/{id}/calibration/examples",
            "/app/peer-review/{id}/calibration/examples/{id}",
            "/app/peer-review/{id}/grades.csv",
            # library, as staff
            "/app/library/",
            "/app/library/new",
            "/app/library/items/{id}",
            "/app/library/items/{id}/edit",
            "/app/library/items/{id}/history",
            "/app/library/items/{id}/share",
            "/app/library/feed",
            "/app/library/notifications",
            "/app/library/requests",
            "/app/library/moderation",
            "/app/library/moderation/items/{id}",
            "/app/library/moderation/policy",
        ],
        "learner": [
            "/app",
            "/app/profile",
            "/app/peer-review/{id}",
            "/app/peer-review/{id}/calibration/{id}",
            "/app/peer-review/{id}/reviews/{id}",
            "/app/peer-review/{id}/calibration",
            "/app/library/",
            "/app/library/new",
            "/app/library/mine",
            "/app/library/items/{id}",
            "/app/library/items/{id}/edit",
            "/app/library/items/{id}/history",
            "/app/library/notifications",
        ],
    }.items()
    for path in paths
)
VISITS_PER_KIND = 3  # e.g. one's own item, a colleague's, one in another state


@dataclass
class Crawl:
    base_url: str
    browsers: list[Browser] = field(default_factory=list)

    def browser(self, who: str) -> Browser:
        browser = Browser(who)
        self.browsers.append(browser)
        return browser

    def launch(self, link: str, who: str) -> tuple[Browser, Page]:
        """Open ``link`` from the demo course page as ``who``: OIDC login, then launch."""
        browser = self.browser(who)
        course = browser.get(f"{self.base_url}/demo/?{urlencode({'link': link, 'as': who})}")
        if not course.parsed.frames:
            raise CrawlFailed(f"{course.url}: the demo course page frames no tool")
        landing = browser.get(course.parsed.frames[0])
        expect(landing, f"launch of {link} as {who}")
        return browser, landing

    def place_activities(self) -> dict[str, str]:
        """The teacher adds one activity of each kind through the deep-linking picker.

        Returns the demo LMS's link id of each, by kind.
        """
        browser, page = self.launch("deep-linking", DEMO_TEACHER)
        for number, (kind, typed) in enumerate(PLACEMENTS.items()):
            offered = page.links(**{"data-kind": kind})
            if not offered:
                raise CrawlFailed(f"{page.url}: the activity picker offers no {kind!r}")
            form = browser.get(offered[0]).form(id="settings")
            then = "return" if number == len(PLACEMENTS) - 1 else "more"
            page = browser.submit(form, button(form, then), **typed)
            expect(page, f"placing a {kind} activity")
        added = dict(re.findall(r'data-link="([^"]+)"><strong>([^<]+)</strong>', page.text))
        by_title = {title: link for link, title in added.items()}
        placed = {kind: by_title.get(typed["title"], "") for kind, typed in PLACEMENTS.items()}
        if not all(placed.values()):
            raise CrawlFailed(f"{page.url}: the demo LMS added {by_title}, not {PLACEMENTS}")
        return placed

    def public_pages(self) -> None:
        """What an LMS administrator opens before any launch."""
        browser = self.browser(PUBLIC)
        for path in PUBLIC_PAGES:
            expect(browser.get(self.base_url + path), f"GET {path}")

    def course_home(self, link: str) -> None:
        """The course home, profile, roster and records pages, as staff and as a learner."""
        for who in (DEMO_TEACHER, LEARNERS[0]):
            browser, home = self.launch(link, who)
            self.explore(browser, [home])

    def peer_review(self, link: str) -> None:
        """Staff set calibration examples; learners submit, calibrate and review; staff
        open every staff page and release feedback; learners read it."""
        self.calibration_examples(link)
        learners = {}
        for who in LEARNERS:
            browser, page = self.launch(link, who)
            page = browser.submit(page.form(id="submit-form"), text=f"An essay by {who}. " * 20)
            expect(page, f"{who} submitting work")
            self.calibrate(browser, page)
            learners[who] = (browser, browser.get(page.url))
        for number, who in enumerate(LEARNERS):
            browser, page = learners[who]
            take = [f for f in page.parsed.forms if f.action.endswith("/next")]
            if not take:
                raise CrawlFailed(f"{page.url}: {who} is offered no review to take")
            review = browser.submit(take[0])
            expect(review, f"{who} taking a review")
            form = review.form(id="review-form")
            comments = dict.fromkeys(form.textareas, "Clear and well argued.")
            action = "submit" if number == 0 else "draft"
            done = browser.submit(form, button(form, action), **comments)
            expect(done, f"{who} saving a review ({action})")
            self.explore(browser, [page, review, done])
        staff, dashboard = self.launch(link, DEMO_TEACHER)
        self.explore(staff, [dashboard])
        for act in ("allocate", "release"):
            # Either may be refused (409: a queue allocates itself); a 5xx still fails.
            for form in dashboard.parsed.forms:
                if form.action.endswith("/" + act):
                    staff.submit(form)
        staff, dashboard = self.launch(link, DEMO_TEACHER)
        self.explore(staff, [dashboard])
        for who in LEARNERS:  # feedback and grades, now released
            browser, page = self.launch(link, who)
            self.explore(browser, [page])

    def calibration_examples(self, link: str) -> None:
        """Staff add two calibration examples and assess them with the rubric."""
        staff, dashboard = self.launch(link, DEMO_TEACHER)
        found = [u for u in iter_same_site(dashboard, "/app") if kind_of(u).endswith("/examples")]
        if not found:
            raise CrawlFailed(f"{dashboard.url}: no link to the calibration examples")
        examples = staff.get(found[0])
        for number in (1, 2):
            example = staff.submit(
                examples.form(id="add-example"),
                title=f"Sample essay {number}",
                text="A sample essay that argues its point. " * 10,
            )
            expect(example, "staff adding a calibration example")
            assessed = staff.submit(
                example.form(id="assess-example"), explanation="The claim is clear."
            )
            expect(assessed, "staff assessing a calibration example")

    def calibrate(self, browser: Browser, page: Page) -> None:
        """A learner assesses each calibration example, then reads how they did."""
        found = [u for u in iter_same_site(page, "/app") if kind_of(u).endswith("/calibration")]
        if not found:
            raise CrawlFailed(f"{page.url}: {browser.name} is offered no calibration")
        calibration = browser.get(found[0])
        attempts = [u for u in iter_same_site(calibration, "/app") if "/calibration/" in u]
        if not attempts:
            raise CrawlFailed(f"{calibration.url}: no calibration example to assess")
        for url in attempts:
            attempt = browser.get(url)
            posts = [f for f in attempt.parsed.forms if f.method == "post"]
            if posts:
                comments = dict.fromkeys(posts[0].textareas, "Fair.")
                expect(browser.submit(posts[0], **comments), f"{browser.name} calibrating")

    def library(self, link: str) -> None:
        """Staff and a learner share items; learners react to others'; everyone looks around."""
        for who in (DEMO_TEACHER, LEARNERS[0]):
            browser, index = self.launch(link, who)
            new = browser.get(next(iter_same_site(index, "/app/library/new")))
            form = new.form(id="item-form")
            edit = browser.submit(
                form,
                title=f"How {who} gives feedback",
                summary="Short tips.",
                body="Be kind, be specific, be helpful. " * 5,
                topics="feedback",
            )
            expect(edit, f"{who} saving a library draft")
            expect(browser.submit(edit.form(id="publish-form")), f"{who} publishing an item")
        for who in LEARNERS:
            browser, index = self.launch(link, who)
            for url in sorted(set(iter_same_site(index, "/app/library/items/"))):
                item = browser.get(url)
                if item.forms_where(**{"class": "flag-form"}):  # someone else's item
                    self.react(browser, item)
                    break
            self.explore(browser, [index])
        staff, index = self.launch(link, DEMO_TEACHER)
        self.explore(staff, [index])

    def react(self, browser: Browser, item: Page) -> None:
        """Comment, find it helpful, rate, follow and flag: the item page's own forms."""
        forms = {
            "comment": item.forms_where(id="comment-form"),
            "helpful": item.forms_where(id="helpful-form"),
            "rating": item.forms_where(id="rating-form"),
            "follow": item.forms_where(**{"class": "inline follow-form"}),
            "flag": item.forms_where(**{"class": "flag-form"}),
        }
        if not forms["comment"]:
            raise CrawlFailed(f"{item.url}: no comment form on another person's item")
        for act, found in forms.items():
            if not found:  # e.g. pressed already, when a crawl runs twice on one database
                continue
            typed = {"body": "Thanks, useful."} if act == "comment" else {}
            if act == "flag":
                typed = {"details": "Checking the moderation pages."}
            done = browser.submit(found[0], **typed)
            if done.status != 409:  # 409: flagged already (a crawl run twice on one database)
                expect(done, f"{browser.name}: {act} on {item.url}")

    def explore(self, browser: Browser, start: list[Page]) -> None:
        """Open the pages linked under /app, breadth first, a few of each kind per person."""
        queue = [url for page in start for url in iter_same_site(page, "/app")]
        opened: set[str] = {page.url for page in start}
        per_kind: dict[str, int] = {}
        for page in start:
            per_kind[page.kind] = per_kind.get(page.kind, 0) + 1
        while queue and len(opened) < PAGES_PER_SESSION:
            url = queue.pop(0)
            kind = kind_of(url)
            if url in opened or per_kind.get(kind, 0) >= VISITS_PER_KIND:
                continue
            opened.add(url)
            per_kind[kind] = per_kind.get(kind, 0) + 1
            page = browser.get(url)
            if page.status == 404:
                raise CrawlFailed(f"GET {url} -> 404: a link on Peerlearn's pages leads nowhere")
            queue.extend(iter_same_site(page, "/app"))

    def seen_kinds(self) -> dict[str, tuple[str, int, str]]:
        """Page kind and role ("... as staff") -> (who, status, url) of its first good visit."""
        kinds: dict[str, tuple[str, int, str]] = {}
        for browser in self.browsers:
            role = {DEMO_TEACHER: "staff", PUBLIC: "public"}.get(browser.name, "learner")
            for page in browser.pages:
                if page.status < 400:
                    found = (browser.name, page.status, page.url)
                    kinds.setdefault(f"{page.kind} as {role}", found)
        return kinds


def button(form: Form, value: str) -> dict[str, str]:
    for found in form.buttons:
        if found.get("value") == value:
            return found
    raise CrawlFailed(f"form {form.action}: no {value!r} button")


def expect(page: Page, step: str) -> None:
    if page.status >= 400:
        raise CrawlFailed(f"{step}: {page.url} -> {page.status}: {gist(page.text)}")


def say(text: str, *, error: bool = False) -> None:
    (sys.stderr if error else sys.stdout).write(text + "\n")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        say(__doc__ or "", error=True)
        return 2
    base_url = argv[1].rstrip("/")
    crawl = Crawl(base_url)
    try:
        wait_until_up(base_url)
        crawl.public_pages()
        links = crawl.place_activities()
        crawl.course_home(links["course-home"])
        crawl.peer_review(links["peer-review"])
        crawl.library(links["library"])
    except CrawlFailed as error:
        say(f"wheel crawl: FAILED: {error}", error=True)
        return 1
    requests_made = sum(len(b.seen) for b in crawl.browsers)
    assets = set().union(*(b.assets for b in crawl.browsers))
    kinds = crawl.seen_kinds()
    for kind, (who, status, _url) in sorted(kinds.items()):
        say(f"  {status}  {kind:<58} ({who})")
    missing = sorted(REQUIRED - set(kinds))
    if missing:
        say("wheel crawl: FAILED: never opened these page kinds:", error=True)
        say("\n".join(f"  {kind}" for kind in missing), error=True)
        return 1
    say(
        f"wheel crawl: {len(kinds)} page kinds, {len(assets)} stylesheets and scripts, "
        f"{requests_made} requests, no errors"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
