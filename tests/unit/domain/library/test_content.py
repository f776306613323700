"""What each kind of item needs, field limits, links and upload names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.domain.library.content import (
    BODY_LIMIT,
    SUMMARY_LIMIT,
    TIP_BODY_LIMIT,
    TITLE_LIMIT,
    ContentInvalid,
    ItemForm,
    ItemKind,
    check_item,
    check_link_url,
    check_upload_name,
    publish_problems,
)
from lti_tool.domain.library.video import VideoProviders, VideoRef

PROVIDERS = VideoProviders()


def errors_of(**fields: str) -> dict[str, str]:
    with pytest.raises(ContentInvalid) as raised:
        check_item(ItemForm(**fields), providers=PROVIDERS)
    return raised.value.errors


def test_an_article_is_cleaned_and_checked() -> None:
    found = check_item(
        ItemForm(
            kind="article",
            title="  Peer\tfeedback \x00 basics ",
            summary="Why\r\nand how.",
            body="# Heading\r\n\r\nText\x07.",
            topics="Feedback, feedback, Writing",
            link_url="https://ignored.example",
        ),
        providers=PROVIDERS,
    )
    assert found.kind is ItemKind.ARTICLE
    assert found.title == "Peer feedback basics"
    assert found.summary == "Why\nand how."
    assert found.body_markdown == "# Heading\n\nText."
    assert [t.name for t in found.topics] == ["Feedback", "Writing"]
    assert found.link_url is None  # only links keep a link
    assert found.video is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "essay"}, "kind", "offered kinds"),
        ({"kind": "article", "body": "x"}, "title", "title"),
        ({"kind": "article", "title": "x" * (TITLE_LIMIT + 1), "body": "x"}, "title", "255"),
        (
            {"kind": "article", "title": "t", "summary": "s" * (SUMMARY_LIMIT + 1), "body": "b"},
            "summary",
            "at most",
        ),
        ({"kind": "article", "title": "t"}, "body", "needs some text"),
        ({"kind": "article", "title": "t", "body": "b" * (BODY_LIMIT + 1)}, "body", "at most"),
        ({"kind": "tip", "title": "t", "body": "b" * (TIP_BODY_LIMIT + 1)}, "body", "2000"),
        ({"kind": "link", "title": "t"}, "link_url", "web address"),
        ({"kind": "link", "title": "t", "link_url": "javascript:alert(1)"}, "link_url", "https://"),
        (
            {"kind": "link", "title": "t", "link_url": "https://x.org", "link_title": "x" * 256},
            "link_title",
            "at most",
        ),
        (
            {"kind": "video", "title": "t", "video_url": "https://evil.example/v"},
            "video_url",
            "providers",
        ),
        (
            {"kind": "article", "title": "t", "body": "b", "topics": "a,b,c,d,e,f"},
            "topics",
            "at most",
        ),
    ],
)
def test_mistakes_are_named_by_field(fields: dict[str, str], field: str, message: str) -> None:
    errors = errors_of(**fields)
    assert field in errors
    assert message in errors[field]


def test_kinds_need_their_own_fields() -> None:
    video = check_item(
        ItemForm(kind="video", title="t", video_url="https://youtu.be/dQw4w9WgXcQ"),
        providers=PROVIDERS,
    )
    assert video.video == VideoRef("youtube", "dQw4w9WgXcQ")
    link = check_item(
        ItemForm(kind="link", title="t", link_url=" https://example.org/a ", link_title=" A "),
        providers=PROVIDERS,
    )
    assert (link.link_url, link.link_title, link.link_description) == (
        "https://example.org/a",
        "A",
        None,
    )
    for kind in ("slides", "file"):
        assert check_item(ItemForm(kind=kind, title="t"), providers=PROVIDERS).body_markdown == ""


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:x",
        "file:///etc/passwd",
        "https://user:pass@example.org/",
        "https://@example.org/",
        "https:///nohost",
        "https://exa mple.org/",
        "https://example.org/\x00",
        "https://example.org:notaport/",
        "//example.org/",
        "https://example.org/" + "a" * 2100,
    ],
)
def test_links_are_http_without_credentials(url: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked by the form test
        check_link_url(url)


@given(st.text(max_size=200))
def test_accepted_links_are_http(raw: str) -> None:
    try:
        url = check_link_url(raw)
    except ValueError:
        return
    assert url.lower().startswith(("http://", "https://"))


def test_publishing_asks_for_the_files_a_kind_needs() -> None:
    assert publish_problems(ItemKind.ARTICLE, []) == ()
    assert publish_problems(ItemKind.SLIDES, ["png"]) == (
        "Attach the slides (PowerPoint, OpenDocument or PDF) before publishing.",
    )
    assert publish_problems(ItemKind.SLIDES, ["odp"]) == ()
    assert publish_problems(ItemKind.FILE, []) == ("Attach a file before publishing.",)
    assert publish_problems(ItemKind.FILE, ["txt"]) == ()


@pytest.mark.parametrize(
    "name",
    [
        "../x.pdf",
        "/etc/passwd",
        "..\\..\\x.pdf",
        "C:\\x.pdf",
        "c:x.pdf",
        "..",
        ".",
        "",
        " ",
        "a\x00.pdf",
        "a\n.pdf",
    ],
)
def test_upload_names_naming_folders_are_refused(name: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        check_upload_name(name)


def test_plain_upload_names_pass() -> None:
    assert check_upload_name(" Résumé (final).pdf ") == "Résumé (final).pdf"
    assert check_upload_name("..hidden.pdf") == "..hidden.pdf"
