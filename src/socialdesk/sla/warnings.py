"""Warnings before a deadline and at a breach, in the app and by e-mail.

A warning goes to the assignee, or else to every active member of the conversation's
department (or the department's team address), once per state: a conversation that is at
risk warns once, and warns again when it is breached.

Several workers may check at the same moment. Each batch of conversations is refreshed by one
of them (its rows locked, the others skip them; SQLite's IMMEDIATE transactions let one writer
at a time), and each warning is claimed with one conditional UPDATE of `sla_warned` before
anything is notified, so a warning goes out once whichever worker gets there first.

A deadline missed longer ago than `SLA_WARN_WITHIN_HOURS` when the check first sees it (history
imported with its open questions, a worker stopped for days) is recorded as warned without
a warning: nobody can still meet it, and an import of two years' history would otherwise send
one e-mail per old conversation and hold up the worker's queue for hours. The check logs how
many it recorded so; the inbox's "Breached" filter and the KPI show them all.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from socialdesk.accounts.models import Organisation, User
from socialdesk.core.tasks import send_email
from socialdesk.inbox.models import Conversation, Notification, SlaState, Status
from socialdesk.sla.event_data import announce_warning
from socialdesk.sla.models import OutcomeState, SlaOutcome, SlaPolicy
from socialdesk.sla.services import DEFAULT_WARN_MINUTES, refresh_sla

BATCH = 500
logger = logging.getLogger(__name__)


def _recipients(conversation: Conversation) -> tuple[list[User], list[str]]:
    if conversation.assignee is not None and conversation.assignee.is_active:
        return [conversation.assignee], []
    if conversation.department is not None:
        members = list(conversation.department.people.filter(is_active=True))
        extra = [conversation.department.email] if conversation.department.email else []
        return members, extra
    return [], []


def check_and_warn(now: datetime | None = None, *, every: bool = False) -> int:
    """Refresh the open conversations with targets whose state time alone changes now, and
    those never shown with one (`every`: all of them, after a change of the policies), then
    send the warnings that are due."""
    now = now or timezone.now()
    open_ids = list(
        Conversation.objects.filter(
            status__in=[Status.OPEN, Status.WAITING], sla_policy__isnull=False
        )
        .filter(Q() if every else Q(pk__in=_running_out(now)) | Q(sla_state=SlaState.NONE))
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    for start in range(0, len(open_ids), BATCH):
        _refresh_batch(open_ids[start : start + BATCH], now)
    due = Conversation.objects.filter(
        status__in=[Status.OPEN, Status.WAITING],
        sla_state__in=[SlaState.AT_RISK, SlaState.BREACHED],
    ).exclude(sla_warned=F("sla_state"))
    _record_long_missed(due, now)
    due = due.select_related("assignee", "department", "contact", "channel_account")
    sent = 0
    for conversation in due:  # each not yet warned for its state (`_warn` claims it first)
        sent += _warn(conversation)
    return sent


def _running_out(now: datetime) -> QuerySet[SlaOutcome, Any]:
    """The conversations with a running clock due within the warning time, or overdue: only
    their state changes by time alone (every other change of a clock comes with a message, a
    status or a policy, and is refreshed then). Not the breached ones of an imported history
    every minute (refreshing 30,000 of them took most of the minute)."""
    warn = SlaPolicy.objects.aggregate(most=Max("warn_before_minutes"))["most"] or 0
    soon = now + timedelta(minutes=max(warn, DEFAULT_WARN_MINUTES))
    return SlaOutcome.objects.filter(
        evaluated=False, state=OutcomeState.PENDING, stopped_at__isnull=True, due_at__lte=soon
    ).values("conversation_id")


def _record_long_missed(due: QuerySet[Conversation], now: datetime) -> int:
    """Mark breaches whose deadline passed over SLA_WARN_WITHIN_HOURS ago as warned, without
    a warning (one statement; a second worker doing the same changes nothing)."""
    limit = now - timedelta(hours=settings.SLA_WARN_WITHIN_HOURS)
    # a deadline still open, or none open because the late answer came: every deadline and
    # the last message before the limit
    answered_late = Q(sla_due_at__isnull=True, last_message_at__lt=limit)
    for deadline in ("first_response_due_at", "next_response_due_at", "resolution_due_at"):
        answered_late &= Q(**{f"{deadline}__isnull": True}) | Q(**{f"{deadline}__lt": limit})
    long_missed = due.filter(Q(sla_due_at__lt=limit) | answered_late, sla_state=SlaState.BREACHED)
    recorded = long_missed.update(sla_warned=SlaState.BREACHED)
    if recorded:
        logger.info(
            "%d deadlines missed over %d hours ago recorded without a warning",
            recorded,
            settings.SLA_WARN_WITHIN_HOURS,
        )
    return recorded


def _refresh_batch(ids: list[int], now: datetime) -> None:
    """Refresh these conversations' clocks, skipping those another worker is refreshing now
    (two refreshes at once would both record the same new clock, and one would fail). NO KEY:
    messages arriving in them meanwhile are stored without waiting."""
    with transaction.atomic():
        mine = list(
            Conversation.objects.filter(pk__in=ids)
            .select_for_update(skip_locked=True, no_key=True)
            .values_list("pk", flat=True)
        )
        refresh_sla(mine, now=now)


def _claim(conversation: Conversation) -> bool:
    """Mark the conversation warned for its state, only if nobody did since we looked (the
    caller's transaction: a second worker waits for it, then finds it warned)."""
    state = conversation.sla_state
    unwarned = Conversation.objects.filter(pk=conversation.pk, sla_state=state).exclude(
        sla_warned=state
    )
    return bool(unwarned.update(sla_warned=state))


def _warn(conversation: Conversation) -> int:
    people, addresses = _recipients(conversation)
    kind = (
        Notification.Kind.BREACHED
        if conversation.sla_state == SlaState.BREACHED
        else Notification.Kind.AT_RISK
    )
    link = settings.SITE_URL + reverse("inbox:conversation", args=[conversation.pk])
    language = Organisation.current().default_language
    with transaction.atomic():
        if not _claim(conversation):
            return 0  # another worker warned about it a moment ago
        Notification.objects.bulk_create(
            [Notification(user=p, conversation=conversation, kind=kind) for p in people]
        )
        announce_warning(conversation)
        for person in people:
            _mail(conversation, kind, link, [person.email], person.language or language)
        if addresses:
            _mail(conversation, kind, link, addresses, language)
    return len(people) + len(addresses)


def _mail(conversation: Conversation, kind: str, link: str, to: list[str], language: str) -> None:
    with translation.override(language):
        if kind == Notification.Kind.BREACHED:
            subject = _("Deadline missed: %(contact)s") % {"contact": conversation.contact or "?"}
        else:
            subject = _("Deadline near: %(contact)s") % {"contact": conversation.contact or "?"}
        body = render_to_string(
            "inbox/email/sla_warning.txt",
            {
                "conversation": conversation,
                "kind": kind,
                "link": link,
                "due": conversation.sla_due_at,
            },
        )
    transaction.on_commit(lambda: send_email.enqueue(subject, body, to))
