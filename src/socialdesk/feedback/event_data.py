"""What the feedback loop tells other tools (`core.events`): an item was created, forwarded to
a department, or moved on its board. Subject `feedback:<id>`; built only when someone listens,
inside the service's transaction."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department
from socialdesk.core import events
from socialdesk.feedback.models import FeedbackItem
from socialdesk.inbox import event_data
from socialdesk.inbox.models import Message

CREATED, FORWARDED, STATUS_CHANGED = (
    "feedback.created",
    "feedback.forwarded",
    "feedback.status_changed",
)


def subject(item: FeedbackItem) -> str:
    return f"feedback:{item.pk}"


def item_data(item: FeedbackItem) -> dict[str, Any]:
    when = event_data.when
    return {
        "id": item.pk,
        "title": item.title,
        "description": item.description,
        "status": item.status,
        "reason": item.reason,
        "topic": item.topic.name if item.topic is not None else None,
        "department": event_data.department(item.department),
        "mentions": item.mention_count,
        "first_seen": when(item.first_seen),
        "last_seen": when(item.last_seen),
        "due_at": when(item.due_at),
        "created_at": when(item.created_at),
        "url": settings.SITE_URL + reverse("feedback:item", args=[item.pk]),
    }


def _emit(kind: str, item: FeedbackItem, by: Acting, **extra: Any) -> None:
    data = {"item": item_data(item), **extra, "actor": event_data.actor(by)}
    events.emit(kind, [(subject(item), data)])


def announce_created(item: FeedbackItem, by: Acting, message: Message | None) -> None:
    """A new item; `message`: the customer's message it was made from, if any."""
    if not events.wanted(CREATED):
        return
    said = None
    if message is not None:
        said = {
            **event_data.message_data(message),
            "conversation": {
                "id": message.conversation_id,
                "url": event_data.conversation_url(message.conversation_id),
            },
        }
    _emit(CREATED, item, by, message=said)


def announce_forwarded(item: FeedbackItem, by: Acting, previous: Department | None) -> None:
    if events.wanted(FORWARDED):
        _emit(FORWARDED, item, by, previous_department=event_data.department(previous))


def announce_status(item: FeedbackItem, by: Acting, previous: str) -> None:
    """The item's status changed from `previous` (call only when it did)."""
    if previous != item.status and events.wanted(STATUS_CHANGED):
        _emit(STATUS_CHANGED, item, by, previous_status=previous)
