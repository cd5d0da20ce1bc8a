"""REST API for contacts (the customers behind the conversations) and channel accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from socialdesk.api.auth import acting, allow
from socialdesk.api.conversation_schemas import ConversationOut, Short, summary
from socialdesk.api.inputs import Id
from socialdesk.api.paging import Order, PageQuery, page
from socialdesk.api.post_schemas import ERRORS, Error
from socialdesk.channels import running as channel_running
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.selectors import Row, connected_channels, error_text
from socialdesk.core.http import ApiRequest
from socialdesk.inbox import selectors
from socialdesk.inbox.contact_services import contact_merge
from socialdesk.inbox.models import Contact, ContactHandle, Tag

router = Router(tags=["contacts and channels"])


class HandleOut(Schema):
    network: str
    handle: str


class ContactOut(Schema):
    id: int
    name: str
    handles: list[HandleOut]
    created_at: datetime


class ContactPage(Schema):
    items: list[ContactOut]
    next: str | None


class ContactDetail(ContactOut):
    conversations: list[ConversationOut] = Field(
        description="Those the caller may open, newest first."
    )


class ContactFilters(PageQuery):
    q: Short = Field(default="", description="Part of the name or of a handle.")


class MergeIn(Schema):
    other_id: Id = Field(description="The contact merged into this one (it is gone after).")


class ChannelOut(Schema):
    id: int
    network: str
    handle: str
    name: str
    state: str = Field(description="ok, failing, paused or disconnected")
    error: str = Field(description="The last error in the caller's language ('' for none).")
    failures: int
    last_polled_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime | None
    paused_at: datetime | None


def _contact(c: Contact) -> ContactOut:
    handles = [HandleOut(network=h.network, handle=h.handle) for h in c.handles.all()]
    return ContactOut(id=c.pk, name=c.display_name, handles=handles, created_at=c.created_at)


def _channel(row: Row) -> ChannelOut:
    a = row.account
    return ChannelOut(
        id=a.pk,
        network=a.network,
        handle=a.handle,
        name=a.name,
        state=row.state,
        error=row.error,
        failures=a.failures,
        last_polled_at=a.last_polled_at,
        last_success_at=a.last_success_at,
        next_poll_at=a.next_poll_at,
        paused_at=a.paused_at,
    )


def _handles() -> Prefetch:  # type: ignore[type-arg]
    return Prefetch("handles", queryset=ContactHandle.objects.order_by("network", "handle"))


def _visible_contact(request: ApiRequest, pk: int) -> Contact:
    return get_object_or_404(
        selectors.contacts_for_user(request.auth).prefetch_related(_handles()), pk=pk
    )


@router.get(
    "/contacts",
    response={200: ContactPage, **ERRORS, 400: Error},
    summary="List contacts",
    **allow("list_contacts"),
)
def list_contacts(request: ApiRequest, filters: Query[ContactFilters]) -> Any:
    """The contacts of the conversations the caller may open, newest first."""
    contacts = selectors.contacts_for_user(request.auth).prefetch_related(_handles())
    if filters.q:
        contacts = contacts.filter(
            Q(display_name__icontains=filters.q) | Q(handles__handle__icontains=filters.q)
        ).distinct()
    found, following = page(
        contacts, Order("created_at", descending=True), filters.cursor, filters.limit
    )
    return ContactPage(items=[_contact(c) for c in found], next=following)


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactDetail, **ERRORS},
    summary="One contact with handles and conversations",
    **allow("get_contact"),
)
def get_contact(request: ApiRequest, contact_id: Id) -> Any:
    """The contact, their handles on each network and the conversations the caller may open."""
    contact = _visible_contact(request, contact_id)
    conversations = (
        selectors.conversations_for_user(request.auth)
        .filter(contact=contact)
        .select_related("channel_account", "contact", "assignee", "department")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("-last_message_at", "-pk")[:100]
    )
    return ContactDetail(
        **_contact(contact).model_dump(), conversations=[summary(c) for c in conversations]
    )


@router.post(
    "/contacts/{contact_id}/merge",
    response={200: ContactDetail, **ERRORS},
    summary="Merge another contact into this one",
    **allow("merge_contacts"),
)
def merge_contacts(request: ApiRequest, contact_id: Id, payload: MergeIn) -> Any:
    """One customer known under two contacts (a Mastodon and a Bluesky handle, say): the other
    contact's handles, conversations and messages move here and the other is gone."""
    keep = _visible_contact(request, contact_id)
    other = _visible_contact(request, payload.other_id)
    contact_merge(by=acting(request), keep=keep, other=other)
    return get_contact(request, contact_id)


@router.get(
    "/channels",
    response={200: list[ChannelOut], **ERRORS},
    summary="Connected channels and their health",
    **allow("list_channels"),
)
def list_channels(request: ApiRequest) -> Any:
    """Every connected channel (Mastodon, Bluesky, feeds, webhooks) as the health page shows
    it: its state, its last error in words, when it was last read and will be next."""
    return [_channel(row) for row in connected_channels()]


def _channel_row(pk: int) -> Row:
    account = get_object_or_404(ChannelAccount, pk=pk)
    return Row(account, error_text(account))


@router.post(
    "/channels/{channel_id}/pause",
    response={200: ChannelOut, **ERRORS},
    summary="Pause a channel (it is not read until resumed)",
    **allow("pause_channel"),
)
def pause_channel(request: ApiRequest, channel_id: Id) -> Any:
    channel_running.channel_pause(by=acting(request), account=_channel_row(channel_id).account)
    return _channel(_channel_row(channel_id))


@router.post(
    "/channels/{channel_id}/resume",
    response={200: ChannelOut, **ERRORS},
    summary="Resume a paused channel",
    **allow("resume_channel"),
)
def resume_channel(request: ApiRequest, channel_id: Id) -> Any:
    channel_running.channel_resume(by=acting(request), account=_channel_row(channel_id).account)
    return _channel(_channel_row(channel_id))
