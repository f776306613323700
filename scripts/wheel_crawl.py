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
from dataclasses import dataclass, field
from urllib.parse import urlencode

from crawl_browser import (
    Browser,
    CrawlFailed,
    Form,
    Page,
    gist,
    iter_same_site,
    kind_of,
    wait_until_up,
)

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
