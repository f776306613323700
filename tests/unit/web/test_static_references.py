"""Every static file a template asks for exists: a renamed stylesheet must not leave a
page unstyled (the library's index once linked ``library.css`` beside
``library_discovery.css``)."""

from __future__ import annotations

import re
from pathlib import Path

import lti_tool

PACKAGE = Path(lti_tool.__file__).parent
STATIC_REFERENCE = re.compile(
    r"url_for\(\s*['\"]static['\"]\s*,\s*filename\s*=\s*['\"]([^'\"]+)['\"]"
)


def static_references() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for template in sorted(PACKAGE.glob("**/templates/**/*.html")):
        for name in STATIC_REFERENCE.findall(template.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(str(template.relative_to(PACKAGE)))
    return found


def test_templates_name_static_files() -> None:
    assert len(static_references()) >= 5  # the pattern still matches how templates link


def test_every_static_file_a_template_names_exists() -> None:
    missing = {
        name: where
        for name, where in static_references().items()
        if not (PACKAGE / "web" / "static" / name).is_file()
    }
    assert missing == {}
