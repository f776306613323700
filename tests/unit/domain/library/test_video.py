"""Videos are read into (provider, id) from allow-listed providers only; embed addresses
are rebuilt from templates, never taken from the author."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.library.video import (
    ID_CHARSET,
    VideoProviders,
    VideoRef,
    VideoRefused,
    configured_providers,
)

DEFAULT = VideoProviders()
CAMPUS = {
    "name": "campus",
    "label": "Campus video",
    "url": "https://video.example.edu/watch/{id}",
    "embed": "https://video.example.edu/embed/{id}?autoplay=0",
}


@pytest.mark.parametrize(
    ("url", "provider", "video_id"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://youtube.com/watch?v=dQw4w9WgXcQ&list=x&t=4", "youtube", "dQw4w9WgXcQ"),
        ("http://m.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://youtu.be/dQw4w9WgXcQ?t=3", "youtube", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "vimeo", "76979871"),
        ("https://player.vimeo.com/video/76979871", "vimeo", "76979871"),
        ("  https://VIMEO.com/76979871  ", "vimeo", "76979871"),
    ],
)
def test_known_addresses_are_read(url: str, provider: str, video_id: str) -> None:
    assert DEFAULT.read(url) == VideoRef(provider, video_id)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=aaaaaaaaaaa",
        'https://www.youtube.com/watch?v=dQw4w9WgX"Q',
        "https://www.youtube.com/embed/dQw4w9WgXcQ%22onload",
        "https://vimeo.com/abc",
        "https://vimeo.com/",
        "https://user:pass@vimeo.com/76979871",
        "ftp://vimeo.com/76979871",
        "https://vimeo.com:99999/76979871",
        "https://vimeo.com/" + "1" * 3000,
    ],
)
def test_anything_else_is_refused(url: str) -> None:
    with pytest.raises(VideoRefused):
        DEFAULT.read(url)


def test_embed_addresses_come_from_templates() -> None:
    assert DEFAULT.embed_url(VideoRef("youtube", "dQw4w9WgXcQ")) == (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    )
    assert DEFAULT.embed_url(VideoRef("vimeo", "76979871")) == (
        "https://player.vimeo.com/video/76979871?dnt=1"
    )
    assert DEFAULT.embed_url(VideoRef("gone", "x")) is None
    for url in ("https://youtu.be/dQw4w9WgXcQ", "https://player.vimeo.com/video/76979871"):
        ref = DEFAULT.read(url)
        page = DEFAULT.page_url(ref)
        assert page is not None
        assert DEFAULT.read(page) == ref
    with pytest.raises(VideoRefused):
        DEFAULT.embed_url(VideoRef("youtube", "<script>"))
    assert DEFAULT.frame_origins() == (
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    )


def test_configured_providers_match_their_literal_pattern_only() -> None:
    providers = configured_providers(json.dumps([CAMPUS]))
    assert providers.read("https://video.example.edu/watch/lecture-01") == VideoRef(
        "campus", "lecture-01"
    )
    assert providers.embed_url(VideoRef("campus", "lecture-01")) == (
        "https://video.example.edu/embed/lecture-01?autoplay=0"
    )
    assert "https://video.example.edu" in providers.frame_origins()
    assert providers.page_url(VideoRef("campus", "lecture-01")) == (
        "https://video.example.edu/watch/lecture-01"
    )
    for bad in (
        "https://video.example.edu/watch/../admin",
        "https://video.example.edu/watch/a/b",
        "https://video.example.edu/other/lecture",
        "https://evil.example/watch/lecture",
        "https://video.example.edu/watch/",
        "https://video.example.edu/watch/a%20b",
    ):
        with pytest.raises(VideoRefused):
            providers.read(bad)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "JSON list"),
        ('{"name": "x"}', "JSON list of objects"),
        (json.dumps([{**CAMPUS, "name": "youtube"}]), "unique"),
        (json.dumps([{**CAMPUS, "name": "Bad Name"}]), "lower-case"),
        (json.dumps([{**CAMPUS, "embed": "http://video.example.edu/embed/{id}"}]), "https"),
        (json.dumps([{**CAMPUS, "embed": "https://video.example.edu/embed"}]), "exactly one"),
        (json.dumps([{**CAMPUS, "url": "https://{id}.example.edu/watch"}]), "in its path"),
        (json.dumps([{**CAMPUS, "embed": "javascript:{id}"}]), "https"),
        (json.dumps([{**CAMPUS, "extra": 1}]), "object with"),
    ],
)
def test_configuration_mistakes_are_named(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        configured_providers(raw)


def test_no_configuration_means_the_built_in_providers() -> None:
    assert configured_providers("  ") == DEFAULT


@given(st.text(max_size=300))
def test_whatever_is_accepted_has_a_strict_id(url: str) -> None:
    try:
        found = DEFAULT.read(url)
    except VideoRefused:
        return
    assert ID_CHARSET.fullmatch(found.video_id)
    embed = DEFAULT.embed_url(found)
    assert embed is not None
    assert embed.startswith(
        ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/")
    )
