"""Reads for feedback: which items a person may see, and what of their customers they may see.

A department member sees the items routed to their departments. An item gathers messages from
any conversation; of those the member sees only the ones in conversations they may open
(`inbox.selectors`): the others' texts, customers, links and reply drafts are left out, while
the item's own totals (how many messages and customers said it) stay, as they tell the
department how big the feedback is without saying who said what.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from socialdesk.accounts.models import Department, User
from socialdesk.feedback.models import (
    CLOSED,
    FeedbackEvent,
    FeedbackItem,
    FeedbackLink,
    FeedbackStatus,
    ReplyDraft,
)
from socialdesk.inbox.selectors import (
    contacts_for_user,
    conversations_for_user,
    messages_for_user,
    sees_every_conversation,
)

# History entries whose text quotes a message (its first 200 characters) or names a customer.
QUOTES_MESSAGE = {"linked", "unlinked"}
NAMES_CUSTOMER = {"answered", "discarded"}
QUOTE_LENGTH = 200


def items_for_user(user: User) -> QuerySet[FeedbackItem]:
    """Department members see the feedback of their departments; everyone else all of it."""
    items = FeedbackItem.objects.select_related("department", "topic")
    if not sees_every_conversation(user):
        items = items.filter(department__in=user.departments.all())
    return items


def item_for_user(user: User, pk: int) -> FeedbackItem:
    try:
        return items_for_user(user).get(pk=pk)
    except FeedbackItem.DoesNotExist:
        raise Http404 from None


def links_for_user(user: User, item: FeedbackItem) -> QuerySet[FeedbackLink]:
    """Return the item's linked messages that the person may see."""
    return FeedbackLink.objects.filter(item=item, message__in=messages_for_user(user))


def drafts_for_user(user: User, item: FeedbackItem) -> QuerySet[ReplyDraft]:
    """Return the item's reply drafts to customers whose conversation the person may see."""
    return ReplyDraft.objects.filter(item=item, conversation__in=conversations_for_user(user))


def history_for_user(user: User, item: FeedbackItem) -> list[FeedbackEvent]:
    """Return the item's history; quotes of messages and customers the person may not see
    are left out (the entry itself stays)."""
    events = list(item.events.select_related("actor"))
    if sees_every_conversation(user):
        return events
    messages, contacts = messages_for_user(user), contacts_for_user(user)
    for event in events:
        if not event.text:
            continue
        if event.kind in QUOTES_MESSAGE:
            if len(event.text) < QUOTE_LENGTH:
                shown = messages.filter(text=event.text).exists()
            else:
                shown = messages.filter(text__startswith=event.text).exists()
        elif event.kind in NAMES_CUSTOMER:
            shown = contacts.filter(display_name=event.text).exists()
        else:
            continue
        if not shown:
            event.text = ""
    return events


def boards_for_user(user: User, now: datetime) -> QuerySet[Department]:
    """The departments whose feedback board the person may open (a member: her own), each
    with `open` (not done or won't do) and `overdue` (new and past its deadline) counts."""
    departments = Department.objects.annotate(
        open=Count("feedback", filter=~Q(feedback__status__in=CLOSED)),
        overdue=Count(
            "feedback", filter=Q(feedback__status=FeedbackStatus.NEW, feedback__due_at__lt=now)
        ),
    )
    if not sees_every_conversation(user):
        departments = departments.filter(pk__in=user.departments.all())
    return departments


def board_for_user(user: User, pk: int) -> Department:
    """A department whose board the person may open (404 otherwise)."""
    if not sees_every_conversation(user) and not user.departments.filter(pk=pk).exists():
        raise Http404
    try:
        return Department.objects.get(pk=pk)
    except Department.DoesNotExist:
        raise Http404 from None
