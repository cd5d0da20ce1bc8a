"""What the inbox tells other tools (`core.events`): small JSON data about conversations.

Every event of a conversation (created, a message, a reply, status, assignment, the SLA's
warnings) has the subject `conversation:<id>`, so a subscriber hears them in order. The data
is built only when someone listens (`events.wanted`), with one query per batch, and inside the
writer's transaction (the event commits with the change). Datetimes are ISO 8601; texts are
as the customer or the team wrote them (the receiver escapes them); no secrets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core import events
from socialdesk.core.redaction import redact_text
from socialdesk.inbox.models import ContactHandle, Conversation, Direction, Message, Status

Data = dict[str, Any]
State = tuple[str, int | None, int | None]
"""A conversation's status, assignee id and department id (what the moves compare)."""

CREATED, RECEIVED = "conversation.created", "message.received"
SENT, FAILED = "reply.sent", "reply.failed"
ASSIGNED, RESOLVED, REOPENED = (
    "conversation.assigned",
    "conversation.resolved",
    "conversation.reopened",
)
MOVES = (RESOLVED, REOPENED, ASSIGNED)


def subject(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def person(user: User | None) -> Data | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.full_name or user.email, "email": user.email}


def actor(by: Acting | None) -> Data | None:
    """Who did it: a person, or None when the system did (a worker, a channel, a link)."""
    if by is None or by.user is None:
        return None
    return {"id": by.user.pk, "name": by.user.full_name or by.user.email}


def department(found: Department | None) -> Data | None:
    return {"id": found.pk, "name": found.name} if found is not None else None


def channel(account: ChannelAccount) -> Data:
    return {
        "id": account.pk,
        "network": account.network,
        "name": account.name or account.handle,
        "handle": account.handle,
    }


def conversation_url(conversation_id: int) -> str:
    return settings.SITE_URL + reverse("inbox:conversation", args=[conversation_id])


def _handle(contact: str, network: str) -> Subquery:
    """The contact's handle on the conversation's network (one subquery, no query per row)."""
    handles = ContactHandle.objects.filter(contact=OuterRef(contact), network=OuterRef(network))
    return Subquery(handles.order_by("pk").values("handle")[:1])


def conversations(ids: Iterable[int]) -> QuerySet[Conversation]:
    """The conversations with everything their data needs, in one query."""
    return (
        Conversation.objects.filter(pk__among=list(ids))
        .select_related("channel_account", "contact", "assignee", "department")
        .annotate(event_handle=_handle("contact", "channel_account__network"))
        .order_by("pk")
    )


def messages(ids: Iterable[int]) -> QuerySet[Message]:
    """The messages with their conversations' data, in one query."""
    return (
        Message.objects.filter(pk__among=list(ids))
        .select_related(
            "author_user",
            "conversation__channel_account",
            "conversation__contact",
            "conversation__assignee",
            "conversation__department",
        )
        .annotate(
            event_handle=_handle("conversation__contact", "conversation__channel_account__network")
        )
        .order_by("created_at", "pk")
    )


def conversation_data(conversation: Conversation, handle: str | None = None) -> Data:
    """`handle`: the contact's handle (read with `conversations()` / `messages()`)."""
    handle = handle if handle is not None else getattr(conversation, "event_handle", None)
    contact = conversation.contact
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "channel": channel(conversation.channel_account),
        "contact": (
            {"id": contact.pk, "name": contact.display_name, "handle": handle or ""}
            if contact is not None
            else None
        ),
        "assignee": person(conversation.assignee),
        "department": department(conversation.department),
        "preview": conversation.preview,
        "language": conversation.language,
        "created_at": when(conversation.created_at),
        "last_message_at": when(conversation.last_message_at),
        "url": conversation_url(conversation.pk),
    }


def message_data(message: Message) -> Data:
    link = message.meta.get("url") if isinstance(message.meta, dict) else None
    data: Data = {
        "id": message.pk,
        "direction": "inbound" if message.direction == Direction.INBOUND else "outbound",
        "text": message.text,
        "author": message.author_handle,
        "created_at": when(message.created_at),
        "url": link if isinstance(link, str) else "",
    }
    if message.direction == Direction.OUTBOUND:
        data["written_by"] = actor(Acting(user=message.author_user))
        data["sent_at"] = when(message.sent_at)
    return data


def _of_message(message: Message, **extra: Any) -> events.Item:
    conversation = message.conversation
    handle = getattr(message, "event_handle", None)
    return (
        subject(conversation.pk),
        {
            "conversation": conversation_data(conversation, handle),
            "message": message_data(message),
            **extra,
        },
    )


# --------------------------------------------------------------------------- channel items


def announce_stored(new_conversations: Collection[int], message_ids: Collection[int]) -> None:
    """Live channel items: each new conversation, then each customer message that came in."""
    if new_conversations and events.wanted(CREATED):
        found = conversations(new_conversations)
        events.emit(
            CREATED, [(subject(c.pk), {"conversation": conversation_data(c)}) for c in found]
        )
    if message_ids and events.wanted(RECEIVED):
        inbound = messages(message_ids).filter(direction=Direction.INBOUND)
        events.emit(RECEIVED, [_of_message(message) for message in inbound])


# --------------------------------------------------------------------------- replies


def announce_reply(message_id: int, *, sent: bool) -> None:
    """A reply reached the network (`reply.sent`) or was given up (`reply.failed`)."""
    kind = SENT if sent else FAILED
    if not events.wanted(kind):
        return
    message = messages([message_id]).get()
    extra = {} if sent else {"error": redact_text(message.delivery_error)}
    events.emit(kind, [_of_message(message, **extra)])


# --------------------------------------------------------------------------- status, assignee


def states(ids: Iterable[int]) -> dict[int, State]:
    """The conversations' status and assignment now, to announce what a change made of them
    (`announce_moves`); empty, without a query, when nobody listens."""
    if not any(events.wanted(kind) for kind in MOVES):
        return {}
    rows = Conversation.objects.filter(pk__among=list(ids)).values_list(
        "pk", "status", "assignee_id", "department_id"
    )
    return {pk: (status, assignee, department) for pk, status, assignee, department in rows}


def state_of(conversation: Conversation) -> State:
    """A conversation's state as a service holds it (no query)."""
    return (conversation.status, conversation.assignee_id, conversation.department_id)


def status_kind(old: str, new: str) -> str | None:
    """Resolved, or reopened (from resolved to open or waiting); else nothing to announce."""
    if old == new:
        return None
    if new == Status.RESOLVED:
        return RESOLVED
    if old == Status.RESOLVED:
        return REOPENED
    return None


def announce_moves(before: Mapping[int, State], *, by: Acting | None) -> None:
    """Announce what became of the conversations since `before` (read with `states` or
    `state_of` before the change): resolved, reopened, assigned. One query for the data,
    and one each for the previous assignees and departments when there are any."""
    wanted = {kind for kind in MOVES if before and events.wanted(kind)}
    if not wanted:
        return
    found = list(conversations(before))
    handed = [
        (c, before[c.pk])
        for c in found
        if ASSIGNED in wanted and before[c.pk][1:] != state_of(c)[1:]
    ]
    people = User.objects.in_bulk({old[1] for _c, old in handed if old[1] is not None})
    units = Department.objects.in_bulk({old[2] for _c, old in handed if old[2] is not None})
    who = actor(by)
    items: dict[str, list[events.Item]] = defaultdict(list)
    for conversation in found:
        old_status = before[conversation.pk][0]
        kind = status_kind(old_status, conversation.status)
        if kind in wanted:
            data = {"conversation": conversation_data(conversation), "previous_status": old_status}
            items[kind].append((subject(conversation.pk), {**data, "actor": who}))
    for conversation, (_status, assignee, unit) in handed:
        previous = {
            "assignee": person(people.get(assignee) if assignee is not None else None),
            "department": department(units.get(unit) if unit is not None else None),
        }
        data = {"conversation": conversation_data(conversation), "previous": previous}
        items[ASSIGNED].append((subject(conversation.pk), {**data, "actor": who}))
    for kind in MOVES:
        if items[kind]:
            events.emit(kind, items[kind])
