"""A minimal browser for LTI flows over HTTP: follows redirects and keeps cookies per host.

requests drops ``Secure`` cookies on plain-http loopback, where real browsers keep them
(localhost counts as secure); so cookies are kept here by host and sent explicitly.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

import requests

_INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


@dataclass
class Page:
    response: requests.Response
    url: str

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def text(self) -> str:
        return self.response.text

    def form(self) -> tuple[str, dict[str, str]]:
        action = _ACTION.search(self.text)
        assert action, "no form on the page"
        fields = {name: html.unescape(value) for name, value in _INPUT.findall(self.text)}
        return urljoin(self.url, html.unescape(action.group(1))), fields

    def error_code(self) -> str | None:
        found = re.search(r"Error <code>([a-z_0-9]+)</code>", self.text)
        return found.group(1) if found else None

    def meta(self, name: str) -> str:
        found = re.search(rf'<meta name="{name}" content="([^"]+)"', self.text)
        assert found, f"no meta {name}"
        return html.unescape(found.group(1))

    def link(self, element_id: str) -> str:
        found = re.search(rf'id="{element_id}" href="([^"]+)"', self.text)
        assert found, f"no link #{element_id}"
        return urljoin(self.url, html.unescape(found.group(1)))


@dataclass
class Browser:
    http: requests.Session = field(default_factory=requests.Session)
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)

    def _host(self, url: str) -> str:
        return urlsplit(url).netloc

    def request(
        self,
        method: str,
        url: str,
        *,
        data: dict[str, str] | None = None,
        follow: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Page:
        for _hop in range(10):
            self.history.append(url)
            response = self.http.request(
                method,
                url,
                data=data,
                headers=headers,
                allow_redirects=False,
                timeout=30,
                cookies=self.cookies.get(self._host(url), {}),
            )
            jar = self.cookies.setdefault(self._host(url), {})
            jar.update(response.cookies.get_dict())
            if follow and response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                method, data, headers = "GET", None, None
                continue
            return Page(response, url)
        raise AssertionError("too many redirects")

    def get(self, url: str, **kwargs: object) -> Page:
        return self.request("GET", url, **kwargs)  # type: ignore[arg-type]

    def post(self, url: str, data: dict[str, str], **kwargs: object) -> Page:
        return self.request("POST", url, data=data, **kwargs)  # type: ignore[arg-type]

    def clear_cookies(self) -> None:
        self.cookies.clear()


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))
