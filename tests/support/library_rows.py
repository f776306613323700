"""Library rows written straight to the database, for tests of moderation and sharing
while the authoring and comment operations of the other library helpers are not merged:
items and comments as those operations store them (rendered Markdown, sanitised)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from markdown_it import MarkdownIt
from sqlalchemy import Connection, insert, update

from lti_tool.persistence.library_models import LibraryComment, LibraryItem
from lti_tool.persistence.models import Context, Deployment, Membership, Platform, User
from lti_tool.rich_text import sanitise

MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def render(markdown: str) -> str:
    """Markdown as the library stores it: rendered by markdown-it, sanitised by nh3."""
    return sanitise(MARKDOWN.render(markdown))


def platform(connection: Connection, issuer: str = "https://lms.example") -> int:
    found: int = connection.execute(
        insert(Platform)
        .values(issuer=issuer, client_id="c", auth_login_url="x", auth_token_url="x", jwks_url="x")
        .returning(Platform.id)
    ).scalar_one()
    return found


def deployment(connection: Connection, platform_id: int, name: str = "d") -> int:
    found: int = connection.execute(
        insert(Deployment)
        .values(platform_id=platform_id, deployment_id=name)
        .returning(Deployment.id)
    ).scalar_one()
    return found


def course(connection: Connection, deployment_id: int, lti_id: str, title: str = "") -> int:
    found: int = connection.execute(
        insert(Context)
        .values(deployment_id=deployment_id, lti_id=lti_id, title=title or lti_id, types=[])
        .returning(Context.id)
    ).scalar_one()
    return found


def person(connection: Connection, platform_id: int, sub: str, name: str | None = None) -> int:
    found: int = connection.execute(
        insert(User).values(platform_id=platform_id, sub=sub, name=name).returning(User.id)
    ).scalar_one()
    return found


def member(connection: Connection, user_id: int, context_id: int, role: str = "learner") -> None:
    connection.execute(
        insert(Membership).values(
            user_id=user_id, context_id=context_id, lti_roles=[], course_role=role
        )
    )


def item(
    connection: Connection,
    *,
    context_id: int,
    author_id: int | None,
    title: str = "Pivot tables in five minutes",
    state: str = "published",
    summary: str = "",
    body: str = "",
) -> tuple[int, str]:
    key = str(uuid.uuid4())
    item_id: int = connection.execute(
        insert(LibraryItem)
        .values(
            key=key,
            context_id=context_id,
            author_id=author_id,
            kind="article",
            state=state,
            title=title,
            summary=summary,
            body_markdown=body,
            body_html=render(body),
            published_at=NOW if state in {"published", "hidden"} else None,
            created_at=NOW,
            updated_at=NOW,
        )
        .returning(LibraryItem.id)
    ).scalar_one()
    return item_id, key


def comment(
    connection: Connection, *, item_id: int, author_id: int | None, body: str = "Helpful, thanks"
) -> int:
    comment_id: int = connection.execute(
        insert(LibraryComment)
        .values(
            item_id=item_id,
            author_id=author_id,
            body_markdown=body,
            body_html=render(body),
            created_at=NOW,
        )
        .returning(LibraryComment.id)
    ).scalar_one()
    connection.execute(
        update(LibraryItem)
        .where(LibraryItem.id == item_id)
        .values(comment_count=LibraryItem.comment_count + 1)
    )
    return comment_id
