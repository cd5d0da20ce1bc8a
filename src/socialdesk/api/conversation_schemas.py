"""What the conversations API reads and answers (api/conversations.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from socialdesk.api.inputs import Id, Text
from socialdesk.api.paging import PageQuery
from socialdesk.api.post_schemas import ChannelRef, Ref
from socialdesk.inbox import selectors
from socialdesk.inbox.models import Conversation, Message, Note

MAX_TEXT = 10_000
Short = Annotated[Text, Field(max_length=100)]


class InboxFilterIn(Schema):
    """The inbox's filters (the list's, and what a bulk action's "all matching" works on)."""

    status: Literal["open", "waiting", "resolved", "all"] = Field(
        default="open", description="`all` for every status."
    )
    account: Id | None = Field(default=None, description="A channel account's id.")
    assignee: Short = Field(default="", description="`me`, `none` or a person's id.")
    department: Id | None = None
    language: Short = ""
    needs_reply: Literal["", "yes", "no"] = Field(
        default="", description="`yes`: the customer waits for an answer."
    )
    tag: Short = ""
    q: Short = Field(
        default="",
        description="Words a message, the contact's name or the tags hold, in the search's "
        'language (forms and compound parts, "a phrase", refund*, -voucher); unreadable: 400 '
        "naming the problem at `q`.",
    )
    sla_state: Literal["", "on_track", "at_risk", "breached", "met", "paused"] = ""

    def chosen(self, sort: str = "oldest") -> selectors.InboxFilters:
        """The filters as the inbox's selector reads them."""
        return selectors.InboxFilters(
            account=str(self.account or ""),
            status="" if self.status == "all" else self.status,
            assignee=self.assignee,
            department=str(self.department or ""),
            language=self.language,
            needs_reply=self.needs_reply,
            tag=self.tag,
            query=self.q,
            sla_state=self.sla_state,
            sort=sort,
        )


class ConversationFilters(PageQuery, InboxFilterIn):
    sort: Literal["oldest", "newest", "due"] = Field(
        default="oldest",
        description="`oldest`: waiting longest for us first (as the inbox); `newest`: latest "
        "message first; `due`: the nearest SLA deadline first.",
    )


class ConversationOut(Schema):
    id: int
    url: str = Field(description="The conversation's page in the browser.")
    status: str
    channel: ChannelRef
    contact: Ref | None
    assignee: Ref | None
    department: Ref | None
    language: str
    preview: str
    tags: list[str]
    message_count: int
    needs_reply: bool = Field(description="The customer waits for an answer from us.")
    waiting_for_us_since: datetime | None
    sla_state: str
    sla_due_at: datetime | None
    first_response_seconds: int | None
    last_message_at: datetime | None
    created_at: datetime
    resolved_at: datetime | None


class ConversationPage(Schema):
    items: list[ConversationOut]
    next: str | None = Field(description="The cursor of the next page; null on the last.")


class MessageOut(Schema):
    id: int
    direction: Literal["in", "out"]
    author: str = Field(description="The customer's handle, or the name of who replied.")
    text: str
    created_at: datetime
    language: str
    needs_reply: bool
    delivery: str = Field(description="A reply's way out: queued, sending, sent, failed or ''.")
    delivery_error: str


class NoteOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]
    notes: list[NoteOut]


class ReplyIn(Schema):
    text: Annotated[Text, Field(min_length=1, max_length=MAX_TEXT)]
    then: Literal["", "waiting", "resolved"] = Field(
        default="", description="Also set the status: `waiting` on the customer or `resolved`."
    )


class NoteIn(Schema):
    text: Annotated[Text, Field(min_length=1, max_length=MAX_TEXT)]


class AssignIn(Schema):
    assignee_id: Id | None = Field(default=None, description="A person; null: nobody.")
    department_id: Id | None = Field(default=None, description="A department; null: none.")


class StatusIn(Schema):
    status: Literal["open", "waiting", "resolved"]


class TagsIn(Schema):
    names: list[Annotated[Text, Field(max_length=60)]] = Field(max_length=50)


class NeedsReplyIn(Schema):
    value: bool


def _person(user: object) -> Ref | None:
    if user is None:
        return None
    return Ref(id=user.pk, name=user.full_name or user.email)  # type: ignore[attr-defined]


def summary(c: Conversation) -> ConversationOut:
    account = c.channel_account
    return ConversationOut(
        id=c.pk,
        url=reverse("inbox:conversation", args=[c.pk]),
        status=c.status,
        channel=ChannelRef(
            id=account.pk, network=account.network, handle=account.handle, name=account.name
        ),
        contact=Ref(id=c.contact.pk, name=c.contact.display_name) if c.contact else None,
        assignee=_person(c.assignee),
        department=Ref(id=c.department.pk, name=c.department.name) if c.department else None,
        language=c.language,
        preview=c.preview,
        tags=sorted(t.name for t in c.tags.all()),
        message_count=c.message_count,
        needs_reply=c.waiting_for_us_since is not None,
        waiting_for_us_since=c.waiting_for_us_since,
        sla_state=c.sla_state,
        sla_due_at=c.sla_due_at,
        first_response_seconds=c.first_response_seconds,
        last_message_at=c.last_message_at,
        created_at=c.created_at,
        resolved_at=c.resolved_at,
    )


def message(m: Message) -> MessageOut:
    if m.direction == "out" and m.author_user is not None:
        author = m.author_user.full_name or m.author_user.email
    else:
        author = m.author_handle
    return MessageOut(
        id=m.pk,
        direction=m.direction,  # type: ignore[arg-type]
        author=author,
        text=m.text,
        created_at=m.created_at,
        language=m.language,
        needs_reply=m.needs_reply,
        delivery=m.delivery,
        delivery_error=m.delivery_error,
    )


def note(n: Note) -> NoteOut:
    author = (n.author.full_name or n.author.email) if n.author else ""
    return NoteOut(id=n.pk, author=author, text=n.text, created_at=n.created_at)
