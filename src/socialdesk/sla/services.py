"""Apply SLA policies to conversations: clocks recorded as outcomes, due times and states.

Which clocks run and how a recomputed clock meets the recorded fact is in `sla.clocks`
(a breach is never turned into "met" by a late reply). Internal notes never stop a clock.
The conversation's due times and state are shown from its recorded outcomes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from socialdesk.accounts.audit import Acting, record
from socialdesk.inbox.models import (
    Conversation,
    ConversationEvent,
    Message,
    SlaState,
    Status,
)
from socialdesk.sla import clocks
from socialdesk.sla.calendar import BusinessCalendar, Pause
from socialdesk.sla.models import BusinessHours, SlaOutcome, SlaPolicy

if TYPE_CHECKING:
    from socialdesk.sla.forms import BusinessHoursForm, SlaPolicyForm

DEFAULT_WARN_MINUTES = 15  # the warning time of a conversation without a policy
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


class _Calendars:
    """Business calendars built once per refresh, by policy and by recorded name."""

    def __init__(self) -> None:
        self.by_name: dict[str, BusinessCalendar | None] = {}

    def of_policy(self, policy: SlaPolicy | None) -> BusinessCalendar | None:
        if policy is None or policy.business_hours is None:
            return None
        return self._build(policy.business_hours)

    def _build(self, hours: BusinessHours) -> BusinessCalendar:
        if hours.name not in self.by_name:
            self.by_name[hours.name] = hours.calendar()
        found = self.by_name[hours.name]
        assert found is not None
        return found

    def named(self, names: set[str]) -> None:
        """Load the calendars recorded outcomes name (one query for all of them)."""
        missing = {n for n in names if n and n not in self.by_name}
        for hours in BusinessHours.objects.filter(name__in=missing):
            self._build(hours)
        for name in missing - set(self.by_name):
            self.by_name[name] = None  # deleted since: count calendar time

    def of_name(self, name: str) -> BusinessCalendar | None:
        return self.by_name.get(name) if name else None


class _History:
    """Messages, pauses and first resolutions of a set of conversations, read in bulk."""

    def __init__(self, ids: list[int]) -> None:
        self.events: dict[int, list[ConversationEvent]] = defaultdict(list)
        for event in ConversationEvent.objects.filter(conversation_id__in=ids).order_by("at", "pk"):
            self.events[event.conversation_id].append(event)
        self.messages: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
        for conversation_id, direction, created_at in (
            Message.objects.filter(conversation_id__in=ids)
            .order_by("created_at", "pk")
            .values_list("conversation_id", "direction", "created_at")
        ):
            self.messages[conversation_id].append((direction, created_at))

    def pauses(self, conversation: Conversation) -> list[Pause]:
        return _pauses(self.events[conversation.pk])

    def resolutions(self, conversation: Conversation) -> list[datetime]:
        """When the conversation was resolved, in order (imported history: its resolution)."""
        found = [e.at for e in self.events[conversation.pk] if e.new_status == Status.RESOLVED]
        if not found and conversation.status == Status.RESOLVED and conversation.resolved_at:
            return [conversation.resolved_at]
        return found

    def clocks_of(
        self,
        conversation: Conversation,
        policy: SlaPolicy,
        calendar: BusinessCalendar | None,
        now: datetime,
    ) -> list[clocks.Clock]:
        return clocks.clocks(
            messages=self.messages[conversation.pk],
            first_needs_reply=conversation.needs_reply and conversation.first_message_inbound,
            resolutions=self.resolutions(conversation),
            targets={kind: policy.target(kind) for kind in clocks.KINDS},
            pauses=self.pauses(conversation),
            calendar=calendar,
            now=now,
        )


_READ = (
    "pk", "conversation_id", "kind", "started_at", "due_at", "stopped_at", "state",
    "target_seconds", "policy_id", "policy_name", "business_hours_name", "elapsed_seconds",
    "margin_seconds", "department_id", "assignee_id",
)  # fmt: skip


@dataclass(slots=True)
class _Row:
    """A recorded live outcome as read for a refresh: plain values, no model instance (the
    refresh reads every clock of every conversation it touches; model instances tripled it)."""

    pk: int
    conversation_id: int
    kind: str
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    state: str
    target_seconds: int
    policy_id: int | None
    policy_name: str
    business_hours_name: str
    elapsed_seconds: int | None
    margin_seconds: int | None
    department_id: int | None
    assignee_id: int | None

    def as_outcome(self, stamp: datetime) -> SlaOutcome:
        values = {name: getattr(self, name) for name in _READ if name != "pk"}
        return SlaOutcome(id=self.pk, updated_at=stamp, **values)


def _new_outcome(
    conversation: Conversation, policy: SlaPolicy, found: clocks.Clock, *, evaluated: bool
) -> SlaOutcome:
    outcome = SlaOutcome(conversation=conversation, kind=found.kind, started_at=found.started_at,
                         channel_account_id=conversation.channel_account_id,
                         department_id=conversation.department_id,
                         assignee_id=conversation.assignee_id,
                         evaluated=evaluated, target_seconds=0)  # fmt: skip
    _follow_policy(outcome, policy)
    outcome.target_seconds = int(found.target.total_seconds())
    outcome.due_at = found.due_at
    outcome.stopped_at = found.stopped_at
    outcome.state = found.state
    outcome.elapsed_seconds = found.elapsed_seconds
    outcome.margin_seconds = found.margin_seconds
    return outcome


def _copies_follow(outcome: _Row, conversation: Conversation) -> bool:
    """Give the outcome its conversation's department and assignee (sla/copies.py: the
    trigger moves them; this mends one written while its conversation moved); True if so."""
    copies = (conversation.department_id, conversation.assignee_id)
    if (outcome.department_id, outcome.assignee_id) == copies:
        return False
    outcome.department_id, outcome.assignee_id = copies
    return True


def _follow_policy(outcome: SlaOutcome | _Row, policy: SlaPolicy) -> None:
    outcome.policy_id = policy.pk
    outcome.policy_name = policy.name
    outcome.business_hours_name = policy.business_hours.name if policy.business_hours else ""


def _policy_moved(outcome: _Row, policy: SlaPolicy) -> bool:
    hours = policy.business_hours.name if policy.business_hours else ""
    return (outcome.policy_id, outcome.policy_name, outcome.business_hours_name) != (
        policy.pk,
        policy.name,
        hours,
    )


_OUTCOME_FIELDS = [
    "policy", "policy_name", "business_hours_name", "target_seconds", "due_at",
    "stopped_at", "state", "elapsed_seconds", "margin_seconds", "updated_at", "department",
    "assignee",
]  # fmt: skip


def refresh_sla(conversation_ids: Iterable[int], now: datetime | None = None) -> int:
    """Recompute policy, clocks, outcomes and state of these conversations.

    Return how many conversations changed. A fixed number of queries for any number of
    conversations (messages, events, outcomes and the writes are each read or written in bulk).
    """
    ids = list(conversation_ids)
    if not ids:
        return 0
    now = now or timezone.now()
    policies = active_policies()
    conversations = list(Conversation.objects.filter(pk__in=ids).prefetch_related("tags"))
    history = _History(ids)
    recorded: dict[int, dict[tuple[str, datetime], _Row]] = defaultdict(dict)
    rows = SlaOutcome.objects.filter(conversation_id__in=ids, evaluated=False).values_list(*_READ)
    for values in rows:
        row = _Row(*values)
        recorded[row.conversation_id][(row.kind, row.started_at)] = row
    calendars = _Calendars()
    calendars.named({o.business_hours_name for per in recorded.values() for o in per.values()})

    created: list[SlaOutcome] = []
    updated: list[_Row] = []
    vanished: list[int] = []
    changed: list[Conversation] = []
    for conversation in conversations:
        tag_ids = {t.pk for t in conversation.tags.all()}
        policy = next((p for p in policies if policy_covers(p, conversation, tag_ids)), None)
        calendar = calendars.of_policy(policy)
        pauses = history.pauses(conversation)
        kept = recorded[conversation.pk]
        current: list[SlaOutcome | _Row] = []
        computed = history.clocks_of(conversation, policy, calendar, now) if policy else []
        for found in computed:
            key = (found.kind, found.started_at)
            if key not in kept:
                assert policy is not None
                fresh = _new_outcome(conversation, policy, found, evaluated=False)
                created.append(fresh)
                current.append(fresh)
                continue
            row = kept.pop(key)
            was_pending = row.state == clocks.PENDING
            own = calendar if was_pending else calendars.of_name(row.business_hours_name)
            touched = clocks.merge(row, found, pauses, own)
            if was_pending and policy is not None and _policy_moved(row, policy):
                _follow_policy(row, policy)  # a pending clock follows the policy
                touched = True
            if _copies_follow(row, conversation) or touched:
                updated.append(row)
            current.append(row)
        for row in kept.values():
            if row.state == clocks.PENDING:
                vanished.append(row.pk)  # a clock that no longer runs left no fact
            else:
                if _copies_follow(row, conversation):
                    updated.append(row)
                current.append(row)
        before = _sla_facts(conversation)
        _show(conversation, policy, current, now)
        if before != _sla_facts(conversation):
            changed.append(conversation)
    SlaOutcome.objects.filter(pk__in=vanished).delete()
    SlaOutcome.objects.bulk_create(created, batch_size=500)
    stamp = timezone.now()
    SlaOutcome.objects.bulk_update(
        [row.as_outcome(stamp) for row in updated], _OUTCOME_FIELDS, batch_size=500
    )
    Conversation.objects.bulk_update(
        changed,
        ["sla_policy", "first_response_due_at", "next_response_due_at", "resolution_due_at",
         "sla_due_at", "sla_state"],
        batch_size=500,
    )  # fmt: skip
    return len(changed)


def _shown_state(outcome: SlaOutcome | _Row, warn: timedelta, now: datetime) -> SlaState:
    if outcome.state == clocks.MET:
        return SlaState.MET
    if outcome.state == clocks.BREACHED:
        return SlaState.BREACHED
    if outcome.due_at is None:
        return SlaState.PAUSED
    return SlaState.AT_RISK if outcome.due_at - now <= warn else SlaState.ON_TRACK


def _show(
    conversation: Conversation,
    policy: SlaPolicy | None,
    outcomes: list[SlaOutcome | _Row],
    now: datetime,
) -> None:
    """Set the conversation's due times and state from its clocks; a breach stays shown."""
    conversation.sla_policy = policy
    latest: dict[str, SlaOutcome | _Row] = {}
    for outcome in sorted(outcomes, key=lambda o: o.started_at):
        latest[outcome.kind] = outcome
    first = latest.get(clocks.FIRST_RESPONSE)
    following = latest.get(clocks.NEXT_RESPONSE)
    resolution = latest.get(clocks.RESOLUTION)
    conversation.first_response_due_at = first.due_at if first else None
    conversation.next_response_due_at = (
        following.due_at if following and following.stopped_at is None else None
    )
    conversation.resolution_due_at = resolution.due_at if resolution else None
    open_dues = [o.due_at for o in outcomes if o.stopped_at is None and o.due_at is not None]
    conversation.sla_due_at = min(open_dues) if open_dues else None
    warn = timedelta(minutes=policy.warn_before_minutes if policy else DEFAULT_WARN_MINUTES)
    states = [_shown_state(o, warn, now) for o in outcomes]
    conversation.sla_state = max(states, key=lambda s: _SEVERITY[s]) if states else SlaState.NONE


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
    transaction.on_commit(lambda: check_slas.enqueue(every=True))


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


def policy_evaluate(
    *,
    by: Acting,
    policy: SlaPolicy,
    since: datetime | None = None,
    until: datetime | None = None,
    now: datetime | None = None,
) -> dict[str, dict[str, int]]:
    """Apply a policy to the history it covers, as if it had been in force; return the counts.

    Outcomes are stored marked as evaluated afterwards (they never change the live clocks,
    states or warnings); a second evaluation of the same policy and period replaces the first.
    `since`/`until` bound the first message (until exclusive).
    """
    now = now or timezone.now()
    policy = (
        SlaPolicy.objects.select_related("business_hours")
        .prefetch_related("channel_accounts", "departments", "tags")
        .get(pk=policy.pk)
    )
    calendar = _Calendars().of_policy(policy)
    scope = Conversation.objects.filter(first_message_at__isnull=False)
    if since is not None:
        scope = scope.filter(first_message_at__gte=since)
    if until is not None:
        scope = scope.filter(first_message_at__lt=until)
    counts: dict[str, dict[str, int]] = {
        kind: {clocks.MET: 0, clocks.BREACHED: 0, clocks.PENDING: 0} for kind in clocks.KINDS
    }
    ids = list(scope.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        for start in range(0, len(ids), _EVALUATE_BATCH):
            batch = ids[start : start + _EVALUATE_BATCH]
            conversations = [
                c
                for c in Conversation.objects.filter(pk__in=batch).prefetch_related("tags")
                if policy_covers(policy, c, {t.pk for t in c.tags.all()})
            ]
            SlaOutcome.objects.filter(
                evaluated=True, policy=policy, conversation_id__in=batch
            ).delete()
            history = _History([c.pk for c in conversations])
            created = [
                _new_outcome(conversation, policy, found, evaluated=True)
                for conversation in conversations
                for found in history.clocks_of(conversation, policy, calendar, now)
            ]
            for outcome in created:
                counts[outcome.kind][outcome.state] += 1
            SlaOutcome.objects.bulk_create(created, batch_size=500)
        record(
            by,
            "sla.policy_evaluated",
            policy,
            after={
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                "outcomes": counts,
            },
        )
    return counts


_EVALUATE_BATCH = 500
