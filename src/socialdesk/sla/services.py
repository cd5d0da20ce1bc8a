"""Apply SLA policies to conversations: due times and states, from stored facts.

The clocks:
- first response: from the first message (when it is the customer's and needs a reply)
  until the company's first visible reply;
- next response: from the customer's latest message after the company last wrote, until
  the company writes again;
- resolution: from the first message until the conversation is resolved.
Spells in which the conversation waits on the customer or is resolved pause every clock;
reopening continues the same clocks. Internal notes never stop a clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from socialdesk.accounts.audit import Acting, record
from socialdesk.inbox.models import (
    Conversation,
    ConversationEvent,
    Direction,
    Message,
    SlaState,
    Status,
)
from socialdesk.sla.calendar import BusinessCalendar, Pause, due_at, state
from socialdesk.sla.models import BusinessHours, SlaPolicy

if TYPE_CHECKING:
    from socialdesk.sla.forms import BusinessHoursForm, SlaPolicyForm

_SEVERITY = {
    SlaState.BREACHED: 5,
    SlaState.AT_RISK: 4,
    SlaState.ON_TRACK: 3,
    SlaState.PAUSED: 2,
    SlaState.MET: 1,
    SlaState.NONE: 0,
}


def active_policies() -> list[SlaPolicy]:
    return list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("business_hours")
        .prefetch_related("channel_accounts", "departments", "tags")
    )


def policy_covers(policy: SlaPolicy, conversation: Conversation, tag_ids: set[int]) -> bool:
    accounts = {a.pk for a in policy.channel_accounts.all()}
    departments = {d.pk for d in policy.departments.all()}
    tags = {t.pk for t in policy.tags.all()}
    return (
        (not accounts or conversation.channel_account_id in accounts)
        and (not departments or conversation.department_id in departments)
        and (not tags or bool(tags & tag_ids))
    )


def _pauses(events: list[ConversationEvent]) -> list[Pause]:
    pauses: list[Pause] = []
    started: datetime | None = None
    for event in events:
        pausing = event.new_status in (Status.WAITING, Status.RESOLVED)
        if pausing and started is None:
            started = event.at
        elif not pausing and started is not None:
            pauses.append(Pause(start=started, end=event.at))
            started = None
    if started is not None:
        pauses.append(Pause(start=started, end=None))
    return pauses


def _sla_facts(conversation: Conversation) -> tuple[object, ...]:
    return (
        conversation.sla_policy_id,
        conversation.first_response_due_at,
        conversation.next_response_due_at,
        conversation.resolution_due_at,
        conversation.sla_due_at,
        conversation.sla_state,
    )


def refresh_sla(conversation_ids: Iterable[int], now: datetime | None = None) -> int:
    """Recompute policy, due times and state of these conversations; return how many changed."""
    ids = list(conversation_ids)
    if not ids:
        return 0
    now = now or timezone.now()
    policies = active_policies()
    calendars: dict[int, BusinessCalendar] = {}
    conversations = list(Conversation.objects.filter(pk__in=ids).prefetch_related("tags"))
    events: dict[int, list[ConversationEvent]] = defaultdict(list)
    for event in ConversationEvent.objects.filter(conversation_id__in=ids).order_by("at", "pk"):
        events[event.conversation_id].append(event)
    # For the next-response clock: the customer's latest message and the company's latest reply.
    last_in: dict[int, datetime] = {}
    last_out: dict[int, datetime] = {}
    for conversation_id, direction, created_at in Message.objects.filter(
        conversation_id__in=ids
    ).values_list("conversation_id", "direction", "created_at"):
        bucket = last_in if direction == Direction.INBOUND else last_out
        if conversation_id not in bucket or created_at > bucket[conversation_id]:
            bucket[conversation_id] = created_at

    changed = []
    for conversation in conversations:
        tag_ids = {t.pk for t in conversation.tags.all()}
        policy = next((p for p in policies if policy_covers(p, conversation, tag_ids)), None)
        before = _sla_facts(conversation)
        _evaluate(
            conversation,
            policy,
            calendars,
            _pauses(events[conversation.pk]),
            last_in,
            last_out,
            now,
        )
        if before != _sla_facts(conversation):
            changed.append(conversation)
    Conversation.objects.bulk_update(
        changed,
        ["sla_policy", "first_response_due_at", "next_response_due_at", "resolution_due_at",
         "sla_due_at", "sla_state"],
        batch_size=500,
    )  # fmt: skip
    return len(changed)


def _evaluate(
    conversation: Conversation,
    policy: SlaPolicy | None,
    calendars: dict[int, BusinessCalendar],
    pauses: list[Pause],
    last_in: dict[int, datetime],
    last_out: dict[int, datetime],
    now: datetime,
) -> None:
    conversation.sla_policy = policy
    conversation.first_response_due_at = None
    conversation.next_response_due_at = None
    conversation.resolution_due_at = None
    conversation.sla_due_at = None
    if policy is None or conversation.first_message_at is None:
        conversation.sla_state = SlaState.NONE
        return
    calendar = None
    if policy.business_hours_id:
        if policy.business_hours_id not in calendars:
            calendars[policy.business_hours_id] = policy.business_hours.calendar()  # type: ignore[union-attr]
        calendar = calendars[policy.business_hours_id]
    warn = timedelta(minutes=policy.warn_before_minutes)
    states: list[str] = []
    open_dues: list[datetime] = []

    def clock(
        start: datetime, target: timedelta | None, met_at: datetime | None
    ) -> datetime | None:
        if target is None:
            return None
        relevant = [p for p in pauses if p.end is None or p.end > start]
        due = due_at(start, target, relevant, calendar)
        states.append(state(due, now, met_at, warn))
        if met_at is None and due is not None:
            open_dues.append(due)
        return due

    if conversation.needs_reply and conversation.first_message_inbound:
        conversation.first_response_due_at = clock(
            conversation.first_message_at,
            policy.target("first_response"),
            conversation.first_response_at,
        )
    customer_last = last_in.get(conversation.pk)
    company_last = last_out.get(conversation.pk)
    if (
        conversation.first_response_at is not None
        and customer_last is not None
        and company_last is not None
        and customer_last > company_last
    ):
        conversation.next_response_due_at = clock(
            customer_last, policy.target("next_response"), None
        )
    resolved_at = conversation.resolved_at if conversation.status == Status.RESOLVED else None
    conversation.resolution_due_at = clock(
        conversation.first_message_at, policy.target("resolution"), resolved_at
    )
    conversation.sla_due_at = min(open_dues) if open_dues else None
    conversation.sla_state = (
        max(states, key=lambda s: _SEVERITY[SlaState(s)]) if states else SlaState.NONE
    )


# ---------------------------------------------------------------- settings


def _apply_to_open_conversations() -> None:
    """Re-evaluate open conversations after a policy change, in the background."""
    from socialdesk.sla.tasks import check_slas

    ids = list(
        Conversation.objects.filter(status__in=[Status.OPEN, Status.WAITING], needs_reply=True)
        .order_by("-last_message_at")
        .values_list("pk", flat=True)[:2000]
    )
    refresh_sla(ids)
    transaction.on_commit(lambda: check_slas.enqueue())


def business_hours_save(*, by: Acting, form: BusinessHoursForm) -> BusinessHours:
    """Store a validated business-hours form, audit it and re-evaluate open conversations."""
    with transaction.atomic():
        hours = form.save()
        record(
            by,
            "settings.business_hours_saved",
            hours,
            after={
                "hours": hours.weekly_hours,
                "state": hours.german_state,
                "closed": hours.closed_days,
            },
        )
        _apply_to_open_conversations()
    return hours


def policy_save(*, by: Acting, form: SlaPolicyForm) -> SlaPolicy:
    """Store a validated SLA policy form, audit it and re-evaluate open conversations."""
    with transaction.atomic():
        policy = form.save()
        record(
            by,
            "settings.sla_policy_saved",
            policy,
            after={
                "first_response_minutes": policy.first_response_minutes,
                "next_response_minutes": policy.next_response_minutes,
                "resolution_minutes": policy.resolution_minutes,
                "active": policy.is_active,
            },
        )
        _apply_to_open_conversations()
    return policy


def policy_delete(*, by: Acting, policy: SlaPolicy) -> None:
    """Delete an SLA policy, audit it and re-evaluate open conversations."""
    with transaction.atomic():
        record(by, "settings.sla_policy_deleted", policy, before={"name": policy.name})
        policy.delete()
        _apply_to_open_conversations()
