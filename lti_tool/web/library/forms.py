"""Every form and query string of the library's pages, read by a marshmallow schema.

Schemas check shape and size only; what the values mean is decided by the rules the
operation applies next (an item's content by :func:`~lti_tool.domain.library.content.
check_item`, a comment's length, a rating from 1 to 5, a flag's reason), so fields those
rules measure are read whole here and refused there with their own clear message. Every
form also carries the launch session (``ls``), which the schemas ignore.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import request
from marshmallow import ValidationError, fields, post_load, validate

from lti_tool.domain.errors import BadRequest
from lti_tool.domain.library.content import ItemForm, ItemKind
from lti_tool.library.discovery import KINDS, MAX_PER_PAGE, SORTS, LibraryQuery
from lti_tool.library.search import clean_search_text
from lti_tool.web.forms import ROW_ID_MAX, Form, load, row_id, text

MAX_SEARCH = 1000
# Past this, a person refines the search rather than paging on.
MAX_PAGE = 500


def words(**options: Any) -> fields.String:
    """Text the operation's own rule measures (it says how long it may be)."""
    return fields.String(load_default="", **options)


class OptionalNumber(fields.Field):
    """A row id that may be left empty (None); anything else that is not a positive
    32-bit number is refused with the field's name (400 ``bad_number``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:
        raw = str(value).strip()
        if not raw:
            return None
        try:
            number = int(raw)
        except ValueError:
            raise ValidationError("must be a number.") from None
        if not 0 < number <= ROW_ID_MAX:
            raise ValidationError("is out of range.")
        return number


def optional_number() -> OptionalNumber:
    return OptionalNumber(load_default=None)


def load_numbers(schema: Form, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``data`` (by default the posted form, or a page's query string) through a schema
    with optional numbers: a number that is not one is 400 ``bad_number``."""
    if data is None:
        data = request.form if request.method == "POST" else request.args
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as error:
        name, messages = sorted(error.normalized_messages().items())[0]
        raise BadRequest(f"{name} {' '.join(map(str, messages))}", code="bad_number") from None
    return loaded


# -- Items: the authoring form ---------------------------------------------------------


class NewItemQuery(Form):
    """``/new?kind=``: the kind to start with (an unknown one starts an article)."""

    kind = fields.String(load_default="")

    @post_load
    def _kind(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        try:
            return {"kind": ItemKind(data["kind"] or "article")}
        except ValueError:
            return {"kind": ItemKind.ARTICLE}


class ItemFormSchema(Form):
    """The new-item and edit forms; their content rules live in the domain."""

    kind = words()
    title = words()
    summary = words()
    body = words()
    link_url = words()
    link_title = words()
    link_description = words()
    video_url = words()
    topics = words()


def item_form() -> ItemForm:
    """The request's item form, as the content rules read it."""
    return ItemForm(**load(ItemFormSchema()))


class VersionForm(Form):
    """The version an edit or a restore was made from (``edited_from``, None if the
    page sent none that is a number: the save then meets the newest version as a conflict)."""

    version = words()

    @post_load
    def _number(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        try:
            number: int | None = int(data["version"])
        except ValueError:
            number = None
        return {"version": data["version"], "edited_from": number}


# -- Browsing: the index and its query string -------------------------------------------


class LibraryQuerySchema(Form):
    """The index's query string; anything else (the ``ls`` token) is left alone."""

    q = fields.String(load_default="", validate=validate.Length(max=MAX_SEARCH))
    topic = fields.List(row_id(), load_default=list)
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)), load_default=list)
    author = row_id(load_default=None)
    sort = fields.String(load_default=None, validate=validate.OneOf(SORTS))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


_REPEATED = ("topic", "kind")


@dataclass(frozen=True)
class Asked:
    """What the person asked for, as read from the query string."""

    text: str
    topic_ids: tuple[int, ...]
    kinds: tuple[str, ...]
    author_id: int | None
    sort: str
    page: int
    per_page: int

    def query(self, *, following: bool) -> LibraryQuery:
        return LibraryQuery(
            text=self.text,
            topic_ids=self.topic_ids,
            kinds=self.kinds,
            author_id=self.author_id,
            following=following,
            sort=self.sort,
            page=self.page,
            per_page=self.per_page,
        )

    def link_params(self) -> dict[str, Any]:
        """The non-default choices, for links to other pages of the same listing."""
        params: dict[str, Any] = {}
        if self.text:
            params["q"] = self.text
        if self.topic_ids:
            params["topic"] = list(self.topic_ids)
        if self.kinds:
            params["kind"] = list(self.kinds)
        if self.author_id is not None:
            params["author"] = self.author_id
        params["sort"] = self.sort
        if self.per_page != LibraryQuery.per_page:
            params["per_page"] = self.per_page
        return params


def read_query(args: Any) -> Asked:
    """Validate the query string; empty fields (a form's "any") count as absent."""
    data: dict[str, Any] = {
        name: value for name, value in args.items() if value != "" and name not in _REPEATED
    }
    for name in _REPEATED:
        values = [value for value in args.getlist(name) if value != ""]
        if values:
            data[name] = values
    try:
        loaded = LibraryQuerySchema().load(data)
    except ValidationError as error:
        fields_named = ", ".join(sorted(str(name) for name in error.messages))
        raise BadRequest(
            f"The library cannot show that listing: check {fields_named}.",
            code="library_query_invalid",
        ) from error
    search = clean_search_text(loaded["q"])
    sort = loaded["sort"] or ("relevance" if search else "newest")
    if sort == "relevance" and not search:
        sort = "newest"
    return Asked(
        text=search,
        topic_ids=tuple(dict.fromkeys(loaded["topic"])),
        kinds=tuple(dict.fromkeys(loaded["kind"])),
        author_id=loaded["author"],
        sort=sort,
        page=loaded["page"],
        per_page=loaded["per_page"],
    )


class PagingQuery(Form):
    """``?before=``: the feed's and the inbox's next page (keyset paging)."""

    before = optional_number()


# -- Discussion: comments, votes, follows --------------------------------------------------


class CommentForm(Form):
    body = words()
    reply_to = optional_number()


class RatingForm(Form):
    rating = words()  # 1 to 5, or empty to withdraw: the domain's rule says so


class FollowForm(Form):
    """Follow or unfollow (``action``) a topic or an author (``kind``, ``target``); the
    item (``item``) the button was on, to go back to."""

    kind = words()
    target = optional_number()
    action = words()
    item = words()


class OpenForm(Form):
    """``open``: the item to go on to once a notification is read."""

    open = words()


# -- Topic requests ----------------------------------------------------------------------


class ProposalForm(Form):
    title = words()
    description = words()


class AnswerForm(Form):
    """The answering item, by its key or its address pasted whole."""

    item = words()

    @post_load
    def _key(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        given = data["item"].strip()
        return {"key": given.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]}


# -- Moderation, flags and sharing ------------------------------------------------------


class NoticeQuery(Form):
    """``?notice=``: which notice to show (a key of the notices table)."""

    notice = fields.String(load_default="")


class FlagForm(Form):
    reason = text(load_default="")
    details = text(load_default="")


class DecisionForm(Form):
    decision = text(load_default="")
    note = text(load_default="")
    back = text(load_default="")


class PolicyForm(Form):
    policy = text(load_default="")


class ShareForm(Form):
    course = row_id(required=True)
