"""Library attachments and embeds: uploads judged by content and refused with nothing
kept, downloads with safe headers, videos only from allow-listed providers in a sandboxed
frame that the page's CSP names."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_tool.persistence.library_models import LibraryAttachment
from tests.factories.library_visits import Library
from tests.functional.conftest import LtiWorld, build_world, deliver_and_verify
from tests.support.ralph import Ralph

PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 500
CAMPUS = {
    "name": "campus",
    "label": "Campus video",
    "url": "https://video.example.edu/watch/{id}",
    "embed": "https://video.example.edu/embed/{id}",
}


def pptx() -> bytes:
    # Fixed entry times: the same deck byte for byte whenever it is built.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (("[Content_Types].xml", "<Types/>"), ("ppt/presentation.xml", "<x/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.fixture
def world(tmp_path: Path, database_url: str, session_ralph: Ralph) -> Iterator[LtiWorld]:
    for built in build_world(
        tmp_path,
        database_url,
        library_max_file_mb=1,
        video_providers=json.dumps([CAMPUS]),
    ):
        yield built
        deliver_and_verify(built, session_ralph)


@pytest.fixture
def library(world: LtiWorld) -> Library:
    found = Library(world)
    for person in ("demo-teacher", "demo-learner-1", "demo-learner-2"):
        found.launch(person)
    return found


def stored_files(world: LtiWorld) -> list[Path]:
    root = world.services.settings.files_dir
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_upload_abuse_is_refused_and_nothing_is_kept(library: Library) -> None:
    key = library.create_item("demo-learner-1", kind="slides", title="Deck", body="")
    cases = [
        ("big.pdf", PDF + b"0" * (1024 * 1024), "file_too_large", "larger than 1 MB"),
        ("slides.pptx", EXE, "file_type", "not one of the accepted types"),
        ("../../../etc/passwd.pdf", PDF, "file_name", "cannot contain a folder"),
        ("/etc/passwd.pdf", PDF, "file_name", "cannot contain a folder"),
        ("..", PDF, "file_name", "cannot contain a folder"),
        ("empty.pdf", b"", "file_empty", "The file is empty."),
    ]
    for name, content, code, message in cases:
        response = library.upload("demo-learner-1", key, (name, content))
        assert response.status_code == 400, (name, response.status_code)
        assert f"Error <code>{code}</code>" in response.text, name
        assert message in response.text, name
        assert "Traceback" not in response.text
    # One bad file among good ones refuses all of them.
    mixed = library.upload("demo-learner-1", key, ("a.pdf", PDF), ("b.pptx", EXE))
    assert mixed.status_code == 400
    assert stored_files(library.world) == []
    assert library.count_rows(LibraryAttachment) == 0
    # Publishing slides without the deck is refused with what is missing.
    refused = library.post("demo-learner-1", f"/items/{key}/publish")
    assert refused.status == 422
    assert "Attach the slides" in refused.text
    # Others cannot attach to an item that is not theirs.
    assert library.upload("demo-learner-2", key, ("a.pdf", PDF)).status_code == 404
    assert library.upload("demo-teacher", key, ("deck.pptx", pptx())).status_code == 303
    assert library.post("demo-learner-1", f"/items/{key}/publish").status == 200
    assert library.item_row(key).state == "published"


def test_downloads_carry_safe_headers(library: Library) -> None:
    key = library.create_item("demo-learner-1", kind="file", title="Handouts", body="")
    sent = library.upload(
        "demo-learner-1",
        key,
        ('Résumé "final"; v2.pptx', pptx()),
        ("guide.pdf", PDF),
        ("page.html", b"<script>alert(1)</script>"),
    )
    assert sent.status_code == 303, sent.text
    assert library.post("demo-learner-1", f"/items/{key}/publish").status == 200
    with library.world.services.engine.connect() as connection:
        rows = connection.execute(select(LibraryAttachment).order_by(LibraryAttachment.id)).all()
    assert [(r.display_name, r.media_type) for r in rows] == [
        (
            "Résumé _final_ v2.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("guide.pdf", "application/pdf"),
        ("page.txt", "text/plain"),
    ]
    # Stored under random keys in the storage folder only.
    files = stored_files(library.world)
    assert sorted(path.name for path in files) == sorted(row.storage_key for row in rows)
    slides, guide, page = (
        library.get("demo-learner-2", f"/items/{key}/files/{row.id}") for row in rows
    )
    assert slides.status == 200
    assert slides.response.content == pptx()
    headers = slides.response.headers
    assert headers["Content-Disposition"] == (
        'attachment; filename="R_sum_ _final_ v2.pptx"; '
        "filename*=UTF-8''R%C3%A9sum%C3%A9%20_final_%20v2.pptx"
    )
    for response in (slides, guide, page):
        assert response.response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.response.headers["Content-Security-Policy"].startswith("sandbox")
    assert guide.response.headers["Content-Disposition"].startswith("inline;")
    assert guide.response.headers["Content-Type"] == "application/pdf"
    assert page.response.headers["Content-Type"].startswith("text/plain")
    assert page.response.headers["Content-Disposition"].startswith("attachment;")
    # Removing a file takes its bytes away; its row stays for the record.
    removed = library.post("demo-learner-1", f"/items/{key}/files/{rows[2].id}/remove")
    assert removed.status == 200
    assert len(stored_files(library.world)) == 2
    assert library.get("demo-learner-2", f"/items/{key}/files/{rows[2].id}").status == 404
    # Another course's file id under this item is not found.
    assert library.get("demo-learner-2", f"/items/{key}/files/999999").status == 404


def test_videos_embed_only_allow_listed_providers(library: Library) -> None:
    cases = {
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10": (
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
        ),
        "https://youtu.be/dQw4w9WgXcQ": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://vimeo.com/76979871": "https://player.vimeo.com/video/76979871?dnt=1",
        "https://video.example.edu/watch/lecture-01": "https://video.example.edu/embed/lecture-01",
    }
    for url, embed in cases.items():
        key = library.create_item(
            "demo-learner-1", kind="video", title="Watch", body="", video_url=url
        )
        library.post("demo-learner-1", f"/items/{key}/publish")
        page = library.get("demo-learner-2", f"/items/{key}")
        assert page.status == 200
        assert f'src="{embed.replace("&", "&amp;")}"' in page.text
        assert 'sandbox="allow-scripts allow-same-origin allow-presentation"' in page.text
        assert 'referrerpolicy="strict-origin-when-cross-origin"' in page.text
        # The edit form offers the video's page again, and saving it unchanged works.
        form = library.get("demo-learner-1", f"/items/{key}/edit")
        shown = re.search(
            r'id="f-video_url" name="video_url" type="url" value="([^"]*)"', form.text
        )
        assert shown is not None
        again = library.post(
            "demo-learner-1",
            f"/items/{key}/edit",
            version="1",
            title="Watch",
            video_url=html.unescape(shown.group(1)),
        )
        assert again.status == 200, again.text
        assert library.item_row(key).video_id == embed.split("/")[-1].split("?")[0]
        page = library.get("demo-learner-2", f"/items/{key}")
        csp = page.response.headers["Content-Security-Policy"]
        origin = "/".join(embed.split("/")[:3])
        assert csp.endswith(f"; frame-src {origin}")
        assert "script-src 'self'" in csp
    for bad in (
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)",
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>',
        "https://video.example.edu/watch/../../admin",
        "https://user:pw@www.youtube.com/watch?v=dQw4w9WgXcQ",
    ):
        page = library.post("demo-learner-1", "/new", kind="video", title="Bad", video_url=bad)
        assert page.status == 422, bad
        assert 'id="error-video_url"' in page.text
    # Pages without a video allow no frames at all.
    key = library.create_item("demo-learner-1", title="Text only")
    page = library.get("demo-learner-1", f"/items/{key}")
    assert "frame-src 'none'" in page.response.headers["Content-Security-Policy"]


def test_links_are_http_only_and_open_without_referrer(library: Library) -> None:
    for bad in (
        "javascript:alert(1)",
        "data:text/html,<script>",
        "https://u:p@example.org/",
        "ftp://x",
    ):
        page = library.post(
            "demo-learner-1", "/new", kind="link", title="Bad link", link_url=bad, body=""
        )
        assert page.status == 422, bad
        assert 'id="error-link_url"' in page.text
    key = library.create_item(
        "demo-learner-1",
        kind="link",
        title="A guide",
        body="",
        link_url="https://example.org/guide?a=1&b=2",
        link_title="The <b>guide</b>",
        link_description="Read <script>alert(1)</script> this.",
    )
    library.post("demo-learner-1", f"/items/{key}/publish")
    page = library.get("demo-learner-2", f"/items/{key}").text
    assert 'href="https://example.org/guide?a=1&amp;b=2" rel="noopener noreferrer nofollow"' in page
    assert "The &lt;b&gt;guide&lt;/b&gt;" in page
    assert "<script>alert(1)</script>" not in page
