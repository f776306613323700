"""Videos from an allow-list of providers, named by (provider, id), never by a URL.

An author pastes a video page's address; only the provider's name and the video's id are
kept, and the embed address is rebuilt from a fixed template. So nothing the author typed
ever reaches an ``<iframe src>``: a provider's id is checked against a strict charset
(letters, digits, ``_`` and ``-``) before it is put in the template. Extra providers come
from configuration (``PEERLEARN_VIDEO_PROVIDERS``) as a page pattern and an embed
template, each with one ``{id}`` placeholder; no regular expression is accepted from
configuration, so a pattern cannot be made to match more than its literal text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

URL_LIMIT = 2048
ID_CHARSET = re.compile(r"[A-Za-z0-9_-]{1,64}")
_NAME = re.compile(r"[a-z][a-z0-9-]{1,31}")
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[0-9]{1,20}")
PLACEHOLDER = "{id}"


class VideoRefused(ValueError):
    """A video address that is not from an allow-listed provider, or is malformed."""


@dataclass(frozen=True)
class VideoRef:
    provider: str
    video_id: str


@dataclass(frozen=True)
class VideoProvider:
    """One provider: how to read its page addresses and how to embed its videos."""

    name: str
    label: str
    embed_template: str  # https URL with one {id}
    read_id: Callable[[str, str, Mapping[str, list[str]]], str | None]  # host, path, query
    page_template: str  # the video's page, shown to authors who edit the item

    def page_url(self, video_id: str) -> str:
        if not ID_CHARSET.fullmatch(video_id):
            raise VideoRefused("That video id has characters no provider uses.")
        return self.page_template.replace(PLACEHOLDER, video_id)

    def embed_url(self, video_id: str) -> str:
        if not ID_CHARSET.fullmatch(video_id):
            raise VideoRefused("That video id has characters no provider uses.")
        return self.embed_template.replace(PLACEHOLDER, video_id)

    @property
    def frame_origin(self) -> str:
        parts = urlsplit(self.embed_template)
        return f"{parts.scheme}://{parts.netloc}"


_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"})
_YOUTUBE_PATHS = ("/embed/", "/shorts/", "/live/")


def _youtube_id(host: str, path: str, query: Mapping[str, list[str]]) -> str | None:
    found: str | None = None
    if host == "youtu.be":
        found = path.strip("/").split("/", 1)[0]
    elif host in _YOUTUBE_HOSTS | {"www.youtube-nocookie.com", "youtube-nocookie.com"}:
        if path.rstrip("/") == "/watch":
            values = query.get("v", [])
            found = values[0] if len(values) == 1 else None
        else:
            prefix = next((p for p in _YOUTUBE_PATHS if path.startswith(p)), None)
            found = path[len(prefix) :].strip("/").split("/", 1)[0] if prefix else None
    return found if found and _YOUTUBE_ID.fullmatch(found) else None


def _vimeo_id(host: str, path: str, _query: Mapping[str, list[str]]) -> str | None:
    found: str | None = None
    if host in {"vimeo.com", "www.vimeo.com"}:
        found = path.strip("/").split("/", 1)[0]
    elif host == "player.vimeo.com" and path.startswith("/video/"):
        found = path[len("/video/") :].strip("/")
    return found if found and _VIMEO_ID.fullmatch(found) else None


YOUTUBE = VideoProvider(
    name="youtube",
    label="YouTube",
    embed_template="https://www.youtube-nocookie.com/embed/{id}",
    read_id=_youtube_id,
    page_template="https://www.youtube.com/watch?v={id}",
)
VIMEO = VideoProvider(
    name="vimeo",
    label="Vimeo",
    embed_template="https://player.vimeo.com/video/{id}?dnt=1",
    read_id=_vimeo_id,
    page_template="https://vimeo.com/{id}",
)
BUILT_IN = (YOUTUBE, VIMEO)


@dataclass(frozen=True)
class VideoProviders:
    """The allow-list in effect: the built-in providers and any configured ones."""

    providers: tuple[VideoProvider, ...] = BUILT_IN

    def get(self, name: str) -> VideoProvider | None:
        return next((p for p in self.providers if p.name == name), None)

    def read(self, url: str) -> VideoRef:
        """The (provider, id) of a video page address; :class:`VideoRefused` if none."""
        text = url.strip()
        if len(text) > URL_LIMIT:
            raise VideoRefused("That video address is too long.")
        try:
            parts = urlsplit(text)
            host = (parts.hostname or "").lower()
            _port = parts.port
        except ValueError:
            raise VideoRefused("That is not a video address.") from None
        if parts.scheme not in {"https", "http"} or parts.username or parts.password:
            raise VideoRefused("A video address starts with https://.")
        query = parse_qs(parts.query)
        for provider in self.providers:
            found = provider.read_id(host, parts.path, query)
            if found is not None and ID_CHARSET.fullmatch(found):
                return VideoRef(provider.name, found)
        names = ", ".join(p.label for p in self.providers)
        raise VideoRefused(f"Videos can be embedded from these providers only: {names}.")

    def embed_url(self, ref: VideoRef) -> str | None:
        provider = self.get(ref.provider)
        return provider.embed_url(ref.video_id) if provider else None

    def page_url(self, ref: VideoRef) -> str | None:
        """The address an author pasted, rebuilt (what the edit form shows)."""
        provider = self.get(ref.provider)
        return provider.page_url(ref.video_id) if provider else None

    def frame_origins(self) -> tuple[str, ...]:
        """Origins the item page's CSP ``frame-src`` lets in."""
        return tuple(dict.fromkeys(p.frame_origin for p in self.providers))


def _pattern_reader(pattern: str) -> Callable[[str, str, Mapping[str, list[str]]], str | None]:
    parts = urlsplit(pattern)
    host = (parts.hostname or "").lower()
    before, _, after = parts.path.partition(PLACEHOLDER)

    def read_id(seen_host: str, path: str, _query: Mapping[str, list[str]]) -> str | None:
        if seen_host != host or not path.startswith(before) or not path.endswith(after):
            return None
        found = path[len(before) : len(path) - len(after)] if after else path[len(before) :]
        return found if ID_CHARSET.fullmatch(found) else None

    return read_id


def _checked_template(value: object, what: str, name: str, *, in_path: bool) -> str:
    if not isinstance(value, str) or value.count(PLACEHOLDER) != 1:
        raise ValueError(f"video provider {name!r}: {what} needs exactly one {PLACEHOLDER}")
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        raise ValueError(f"video provider {name!r}: {what} must be an https URL with a host")
    if PLACEHOLDER in (parts.hostname or "") or (in_path and PLACEHOLDER not in parts.path):
        raise ValueError(f"video provider {name!r}: {what} must have {PLACEHOLDER} in its path")
    return value


def configured_providers(raw: str) -> VideoProviders:
    """The allow-list from the ``PEERLEARN_VIDEO_PROVIDERS`` setting: a JSON list of
    ``{"name", "label", "url", "embed"}`` objects, e.g. ``{"name": "campus", "label":
    "Campus video", "url": "https://video.example.edu/watch/{id}", "embed":
    "https://video.example.edu/embed/{id}"}``. Raises ValueError naming the mistake."""
    if not raw.strip():
        return VideoProviders()
    try:
        entries = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"video providers must be a JSON list: {error.msg}") from None
    if not isinstance(entries, list):
        raise ValueError("video providers must be a JSON list of objects")  # noqa: TRY004 - a setting, not a type
    extra = [_configured(entry) for entry in entries]
    names = [p.name for p in (*BUILT_IN, *extra)]
    if len(names) != len(set(names)):
        raise ValueError("video provider names must be unique (youtube and vimeo are built in)")
    return VideoProviders((*BUILT_IN, *extra))


def _configured(entry: object) -> VideoProvider:
    if not isinstance(entry, dict) or set(entry) - {"name", "label", "url", "embed"}:
        raise ValueError("each video provider is an object with name, label, url and embed")
    name = entry.get("name")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"video provider name {name!r} must be lower-case letters and digits")
    label = entry.get("label") or name
    if not isinstance(label, str) or len(label) > 60:
        raise ValueError(f"video provider {name!r}: label must be a short text")
    pattern = _checked_template(entry.get("url"), "url", name, in_path=True)
    embed = _checked_template(entry.get("embed"), "embed", name, in_path=False)
    return VideoProvider(name, label, embed, _pattern_reader(pattern), pattern)


def provider_names(providers: Iterable[VideoProvider]) -> tuple[str, ...]:
    return tuple(p.name for p in providers)
