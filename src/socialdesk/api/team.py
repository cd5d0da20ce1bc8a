"""REST API for the team's tools around the inbox: saved replies, tags, one's notifications,
and the audit log (admins)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from pydantic import Field

from socialdesk.accounts import audit_text
from socialdesk.accounts.audit import ACTION_LABELS
from socialdesk.accounts.models import AuditEvent
from socialdesk.accounts.selectors import audit_events
from socialdesk.api.auth import acting, allow
from socialdesk.api.conversation_schemas import Short
from socialdesk.api.inputs import Id, Text
from socialdesk.api.paging import Order, PageQuery, page
from socialdesk.api.post_schemas import ERRORS, Error
from socialdesk.core.http import ApiRequest
from socialdesk.inbox import selectors, services
from socialdesk.inbox.models import SavedReply, Tag
from socialdesk.inbox.notify import notifications_mark_read

router = Router(tags=["team"])


class SavedReplyOut(Schema):
    id: int
    title: str
    body: str = Field(description="{name}, {agent} and {company} are filled in when used.")
    source: str = Field(description="The wiki page it follows ('' when edited here).")
    created_at: datetime


class SavedReplyIn(Schema):
    title: Annotated[Text, Field(min_length=1, max_length=120)]
    body: Annotated[Text, Field(min_length=1, max_length=10_000)]


class NotificationOut(Schema):
    id: int
    kind: str
    label: str = Field(description="What it is about, in the caller's language.")
    title: str
    conversation_id: int | None = Field(
        description="null when the caller may no longer open that conversation."
    )
    link: str
    mention_by: str
    mention_text: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next: str | None


class NotificationFilters(PageQuery):
    unread: bool = Field(default=False, description="Only those not read yet.")


class ReadOut(Schema):
    marked: int


class ChangeOut(Schema):
    field: str
    before: str | None
    after: str


class AuditOut(Schema):
    id: int
    at: datetime
    actor: str
    token: str = Field(description="The API token it came through ('' for the pages).")
    ip: str | None
    action: str
    action_label: str
    object_type: str
    object_id: str
    object: str
    sentence: str = Field(description="What happened, in the caller's language.")
    changes: list[ChangeOut]


class AuditPage(Schema):
    items: list[AuditOut]
    next: str | None


class AuditFilters(PageQuery):
    actor: Short = ""
    action: Short = Field(default="", description="An action or its start, e.g. `person.`.")
    object_type: Short = ""
    since: date | None = Field(default=None, description="From this day on (YYYY-MM-DD).")
    until: date | None = Field(default=None, description="Up to this day, included.")


def _saved(s: SavedReply) -> SavedReplyOut:
    return SavedReplyOut(
        id=s.pk, title=s.title, body=s.body, source=s.source_url, created_at=s.created_at
    )


@router.get(
    "/saved-replies",
    response={200: list[SavedReplyOut], **ERRORS},
    summary="List saved replies",
    **allow("list_saved_replies"),
)
def list_saved_replies(request: ApiRequest) -> Any:
    return [_saved(s) for s in SavedReply.objects.order_by("title")]


@router.post(
    "/saved-replies",
    response={201: SavedReplyOut, **ERRORS},
    summary="Add a saved reply",
    **allow("create_saved_reply"),
)
def create_saved_reply(request: ApiRequest, payload: SavedReplyIn) -> Any:
    saved = services.saved_reply_create(by=acting(request), title=payload.title, body=payload.body)
    return Status(201, _saved(saved))


@router.put(
    "/saved-replies/{reply_id}",
    response={200: SavedReplyOut, **ERRORS},
    summary="Change a saved reply",
    **allow("update_saved_reply"),
)
def update_saved_reply(request: ApiRequest, reply_id: Id, payload: SavedReplyIn) -> Any:
    """A reply that follows a wiki page keeps its text: change the page (422 otherwise)."""
    saved = get_object_or_404(SavedReply, pk=reply_id)
    return _saved(
        services.saved_reply_update(
            by=acting(request), saved=saved, title=payload.title, body=payload.body
        )
    )


@router.delete(
    "/saved-replies/{reply_id}",
    response={204: None, **ERRORS},
    summary="Delete a saved reply",
    **allow("delete_saved_reply"),
)
def delete_saved_reply(request: ApiRequest, reply_id: Id) -> Any:
    services.saved_reply_delete(
        by=acting(request), saved=get_object_or_404(SavedReply, pk=reply_id)
    )
    return Status(204, None)


@router.get(
    "/tags",
    response={200: list[str], **ERRORS},
    summary="Every tag name",
    **allow("list_tags"),
)
def list_tags(request: ApiRequest) -> Any:
    """The names to filter conversations by (`tag`) or to give them (PUT …/tags)."""
    return list(Tag.objects.order_by("name").values_list("name", flat=True))


@router.get(
    "/notifications",
    response={200: NotificationPage, **ERRORS, 400: Error},
    summary="My notifications",
    **allow("list_notifications"),
)
def list_notifications(request: ApiRequest, filters: Query[NotificationFilters]) -> Any:
    """The caller's own notifications, newest first. One about a conversation the caller may
    no longer open names neither it nor its contact."""
    rows = selectors.notifications_for_user(request.auth)
    if filters.unread:
        rows = rows.filter(read_at__isnull=True)
    found, following = page(
        rows, Order("created_at", descending=True), filters.cursor, filters.limit
    )
    items = []
    for n in found:
        hidden = n.conversation_id is not None and not n.conversation_visible  # type: ignore[attr-defined]
        items.append(
            NotificationOut(
                id=n.pk,
                kind=n.kind,
                label=str(n.get_kind_display()),
                title=n.title,
                conversation_id=None if hidden else n.conversation_id,
                link="" if hidden else n.link,
                mention_by=getattr(n, "mention_by", None) or "",
                mention_text="" if hidden else (getattr(n, "mention_text", None) or ""),
                created_at=n.created_at,
                read_at=n.read_at,
            )
        )
    return NotificationPage(items=items, next=following)


@router.post(
    "/notifications/read",
    response={200: ReadOut, **ERRORS},
    summary="Mark all my notifications read",
    **allow("read_notifications"),
)
def read_notifications(request: ApiRequest) -> Any:
    return ReadOut(marked=notifications_mark_read(by=acting(request)))


@router.get(
    "/audit",
    response={200: AuditPage, **ERRORS, 400: Error},
    summary="The audit log",
    **allow("list_audit_events"),
)
def list_audit_events(request: ApiRequest, filters: Query[AuditFilters]) -> Any:
    """Every change that matters, newest first, as the audit log page shows and filters it."""
    events = audit_events(
        actor=filters.actor,
        action=filters.action,
        object_type=filters.object_type,
        since=filters.since,
        until=filters.until,
    ).select_related("actor")
    found, following = page(events, Order("at", descending=True), filters.cursor, filters.limit)
    return AuditPage(items=[_event(e) for e in found], next=following)


def _event(e: AuditEvent) -> AuditOut:
    return AuditOut(
        id=e.pk,
        at=e.at,
        actor=audit_text.actor_name(e),
        token=e.token_name,
        ip=e.ip,
        action=e.action,
        action_label=str(ACTION_LABELS.get(e.action, e.action)),
        object_type=e.object_type,
        object_id=e.object_id,
        object=audit_text.object_name(e),
        sentence=audit_text.sentence(e),
        changes=[
            ChangeOut(field=field, before=before, after=after)
            for field, before, after in audit_text.changes(e)
        ],
    )
