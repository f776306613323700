"""Topics (tags) of a course's library: names people read, slugs that tell them apart.

Two names with the same slug are the same topic ("Data Science" and "data  science"),
so a course never grows near-duplicates; the first spelling is kept as the name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from lti_tool.domain.text import one_line

NAME_LIMIT = 60
SLUG_LIMIT = 80
TOPICS_PER_ITEM = 5
_SEPARATORS = re.compile(r"[^\w]+", re.UNICODE)


class TopicInvalid(ValueError):
    """A topic name that cannot be used; the message says why."""


@dataclass(frozen=True)
class TopicName:
    name: str
    slug: str


def normalise_name(raw: str) -> str:
    """A topic name as shown: one line (:func:`text.one_line`), and no format or other
    invisible characters either (a zero-width space would make two topics look alike)."""
    line = one_line(raw)
    return " ".join(
        "".join(" " if unicodedata.category(c)[0] in {"C", "Z"} else c for c in line).split()
    )


def slug_of(name: str) -> str:
    """The case- and punctuation-insensitive key of a name (letters of any script kept)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return _SEPARATORS.sub("-", folded).replace("_", "-").strip("-")[:SLUG_LIMIT].strip("-")


def topic(raw: str) -> TopicName:
    """One checked topic; raises :class:`TopicInvalid`."""
    name = normalise_name(raw)
    if not name:
        raise TopicInvalid("A topic needs a name.")
    if len(name) > NAME_LIMIT:
        raise TopicInvalid(f"A topic name can have at most {NAME_LIMIT} characters.")
    slug = slug_of(name)
    if not slug:
        raise TopicInvalid(f"The topic {name!r} needs at least one letter or digit.")
    return TopicName(name, slug)


def topic_list(raw: str, *, limit: int = TOPICS_PER_ITEM) -> tuple[TopicName, ...]:
    """Comma-separated topic names, without repeats; raises :class:`TopicInvalid`."""
    found: dict[str, TopicName] = {}
    for part in raw.split(","):
        if normalise_name(part):
            checked = topic(part)
            found.setdefault(checked.slug, checked)
    if len(found) > limit:
        raise TopicInvalid(f"An item can have at most {limit} topics.")
    return tuple(found.values())
