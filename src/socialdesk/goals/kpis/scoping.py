"""Narrowing the apps' own querysets to a KPI's scope (shared by the KPI families)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from socialdesk.channels.selectors import account_ids
from socialdesk.goals.kpis.registry import KpiError, Query, Scope
from socialdesk.inbox import rollups
from socialdesk.inbox.models import Conversation, Direction, Message
from socialdesk.inbox.selectors import (
    conversations_for_user,
    count_visible,
    sees_every_conversation,
    visibility,
)
from socialdesk.sla.models import BusinessHours

ACCOUNTS, DEPARTMENTS, TAGS, BUSINESS_HOURS = "accounts", "departments", "tags", "business_hours"
CONVERSATION_SCOPES = frozenset({ACCOUNTS, DEPARTMENTS, TAGS})
# Up to this many days a narrowed figure is read per message of the period (see below).
SHORT_PERIOD_DAYS = 14


def one_account(scope: Scope) -> str | None:
    """The SLA figures are per account or over all: more than one is refused."""
    if len(scope.accounts) > 1:
        raise KpiError("this KPI takes at most one channel account")
    return scope.accounts[0] if scope.accounts else None


def calendar(scope: Scope) -> Any:
    if not scope.business_hours:
        return None
    stored = BusinessHours.objects.filter(name=scope.business_hours).first()
    if stored is None:
        names = ", ".join(BusinessHours.objects.values_list("name", flat=True)) or "none yet"
        raise KpiError(f"no business calendar {scope.business_hours!r} (there are: {names})")
    return stored.calendar()


def conversations(scope: Scope) -> QuerySet[Conversation]:
    """The conversations the scope's person may see, narrowed to accounts/departments/tags."""
    rows = Conversation.objects.all() if scope.user is None else conversations_for_user(scope.user)
    return _narrowed(rows, scope)


def count_conversations(scope: Scope, **filters: Any) -> int:
    """How many of `conversations(scope)` match `filters`; a person's visibility counted
    branch by branch, each from its index (`inbox.selectors.count_visible`)."""
    rows = _narrowed(Conversation.objects.filter(**filters), scope)
    return rows.count() if scope.user is None else count_visible(scope.user, rows)


def _narrowed(rows: QuerySet[Conversation], scope: Scope) -> QuerySet[Conversation]:
    if scope.accounts:
        rows = rows.filter(channel_account_id__in=account_ids(scope.accounts))
    if scope.departments:
        rows = rows.filter(department_id__in=scope.departments)
    if scope.tags:
        rows = rows.filter(
            pk__in=Conversation.objects.filter(tags__name__in=scope.tags).values("pk")
        )
    return rows


def narrowed(scope: Scope) -> bool:
    """Whether the scope leaves out some conversations: narrowed to accounts, departments or
    tags, or a person who does not see every conversation."""
    if scope.used() & CONVERSATION_SCOPES:
        return True
    return scope.user is not None and not sees_every_conversation(scope.user)


def inbound_messages(query: Query) -> QuerySet[Message]:
    """Inbound messages written in the period, in conversations of the scope.

    The period's messages come from the index `message_kpi_inbound`. Narrowed to the scope's
    conversations: for a short period (a dashboard's week) asked per message (EXISTS), which
    costs the period's messages; for a longer one as a list of the scope's conversations (IN),
    which costs the scope's conversations once (measured in bench/bench_goals.py).
    """
    scope = query.scope
    rows = Message.objects.filter(
        direction=Direction.INBOUND, created_at__gte=query.start, created_at__lt=query.end
    )
    if narrowed(scope):
        # conversations(scope) reads through conversations_for_user: the one visibility rule.
        if query.period.days <= SHORT_PERIOD_DAYS:
            visible = conversations(scope).filter(pk=OuterRef("conversation_id"))
            rows = rows.filter(Exists(visible))
        else:
            rows = rows.filter(conversation__in=conversations(scope))
    return rows


def inbound_counts(query: Query) -> tuple[int, int]:
    """Inbound messages of the period in the scope, and how many need a reply.

    Read from the message rollup (per hour, account, department, assignee; kept by the
    database on every write), narrowed by the same visibility rule as the conversations.
    Counted from the messages where the rollup cannot answer: narrowed by tags, or a period
    whose bounds are not whole hours (a time zone with a half-hour offset)."""
    scope = query.scope
    counted = None
    if not scope.tags:
        accounts = account_ids(scope.accounts) if scope.accounts else None
        counted = rollups.counts(
            query.start,
            query.end,
            accounts=accounts,
            departments=list(scope.departments) if scope.departments else None,
            visible=None if scope.user is None else visibility(scope.user),
        )
    if counted is not None:
        return counted.inbound, counted.needs_reply
    messages = inbound_messages(query)
    return messages.count(), messages.filter(needs_reply=True).count()
