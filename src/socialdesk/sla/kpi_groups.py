"""The first-response KPI broken down: per department over its conversations, per person over
the first responses they wrote (`kpi.first_response(breakdown=True)`), and the pieces both
share: the clock that measures a response and says whether a question is still pending, the
rate of the decided questions, a percentile read by the index on SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from socialdesk.accounts.models import Department, User
from socialdesk.core.percentiles import interpolate, percentile
from socialdesk.inbox.models import Conversation, Direction, Message
from socialdesk.inbox.selectors import sees_every_conversation
from socialdesk.sla.calendar import business_time_between


@dataclass(frozen=True)
class GroupKpi:
    """The figures of one department (its conversations) or one person (their first responses).

    `key` is the department's or person's id; None for conversations without a department or
    first responses not written by a person in socialdesk.
    """

    key: int | None
    name: str | None
    conversations: int
    first_responses: int
    answered_within: int
    pending: int
    missed: int
    rate_within: float | None
    median_seconds: float | None


def percentile_sql(answered: QuerySet[Conversation], count: int, share: float) -> float | None:
    """On SQLite: the percentile from the two values at its rank (read by the index)."""
    if count == 0:
        return None
    position = (count - 1) * share
    lower = int(position)
    values = [
        int(v or 0)
        for v in answered.order_by("first_response_seconds").values_list(
            "first_response_seconds", flat=True
        )[lower : lower + 2]
    ]
    return interpolate(values, position - lower)


def rate(within: int, conversations: int, pending: int) -> float | None:
    """Share answered within the target of the decided conversations; None if none is decided."""
    decided = conversations - pending
    return within / decided if decided > 0 else None


class Clock:
    """Measures response times and says whether an unanswered question is still pending."""

    def __init__(self, within: timedelta, now: datetime, calendar: Any) -> None:
        self.within, self.now, self.calendar = within.total_seconds(), now, calendar

    def seconds(self, start: datetime | None, end: datetime | None, stored: int | None) -> float:
        if (self.calendar is None and stored is not None) or start is None or end is None:
            return float(stored or 0)
        if self.calendar is None:
            return (end - start).total_seconds()
        return float(business_time_between(self.calendar, start, end).total_seconds())

    def pending_q(self) -> Q:
        """Pending in SQL (calendar time only): no answer and asked at most `within` ago."""
        return Q(
            first_response_seconds__isnull=True,
            first_message_at__gte=self.now - timedelta(seconds=self.within),
        )

    def pending(self, start: datetime | None) -> bool:
        if start is None:
            return False
        if start >= self.now or (self.now - start).total_seconds() <= self.within:
            return True  # open time never exceeds calendar time
        if self.calendar is None:
            return False
        return self.seconds(start, self.now, None) <= self.within


def _group(
    key: int | None, name: str | None, rows: Sequence[tuple[float | None, bool]], clock: Clock
) -> GroupKpi:
    """Figures of one group from (response seconds or None, pending) per conversation."""
    seconds = sorted(s for s, _pending in rows if s is not None)
    within = sum(1 for s in seconds if s <= clock.within)
    pending = sum(1 for s, waiting in rows if s is None and waiting)
    return GroupKpi(
        key=key,
        name=name,
        conversations=len(rows),
        first_responses=len(seconds),
        answered_within=within,
        pending=pending,
        missed=len(rows) - within - pending,
        rate_within=rate(within, len(rows), pending),
        median_seconds=percentile(seconds, 0.5),
    )


def _group_of(
    key: int | None, name: str | None, conversations: QuerySet[Conversation], clock: Clock
) -> GroupKpi:
    """Figures of one group of conversations: counted in SQL, or in Python with a calendar."""
    if clock.calendar is not None:
        rows = [
            (clock.seconds(start, end, stored), False)
            if end is not None
            else (None, clock.pending(start))
            for start, end, stored in conversations.values_list(
                "first_message_at", "first_response_at", "first_response_seconds"
            ).iterator(chunk_size=5000)
        ]
        return _group(key, name, rows, clock)
    counts = conversations.aggregate(
        total=Count("pk"),
        answered=Count("first_response_seconds"),
        within=Count("pk", filter=Q(first_response_seconds__lte=clock.within)),
        pending=Count("pk", filter=clock.pending_q()),
    )
    total, within, pending = counts["total"], counts["within"], counts["pending"]
    answered = conversations.filter(first_response_seconds__isnull=False)
    return GroupKpi(
        key=key,
        name=name,
        conversations=total,
        first_responses=counts["answered"],
        answered_within=within,
        pending=pending,
        missed=total - within - pending,
        rate_within=rate(within, total, pending),
        median_seconds=percentile_sql(answered, counts["answered"], 0.5),
    )


def _by_name(rows: list[GroupKpi]) -> list[GroupKpi]:
    """Named rows in alphabetical order, the row without a name last."""
    return sorted(rows, key=lambda row: (row.name is None, (row.name or "").casefold()))


def by_department(
    conversations: QuerySet[Conversation], user: User | None, clock: Clock
) -> list[GroupKpi]:
    """Per department over its conversations; a department member sees only their own."""
    everything = user is None or sees_every_conversation(user)
    departments = Department.objects.filter(
        pk__in=conversations.exclude(department=None).values("department_id")
    )
    if not everything and user is not None:
        departments = departments.filter(pk__in=user.departments.all())
    rows = [_group_of(d.pk, d.name, conversations.filter(department=d), clock) for d in departments]
    if everything and conversations.filter(department=None).exists():
        rows.append(_group_of(None, None, conversations.filter(department=None), clock))
    return _by_name(rows)


def by_person(conversations: QuerySet[Conversation], clock: Clock) -> list[GroupKpi]:
    """Per person over the first responses they wrote; the rest under no person.

    The search starts from the messages people wrote in socialdesk (few after an import), so
    a large imported history costs one NOT IN, not a lookup per conversation.
    """
    answered = conversations.filter(first_response_at__isnull=False)
    written = Message.objects.filter(
        conversation__in=answered,
        direction=Direction.OUTBOUND,
        author_user__isnull=False,
        created_at=F("conversation__first_response_at"),
    )
    seen: set[int] = set()
    groups: dict[int, list[tuple[float | None, bool]]] = {}
    for conversation_id, author_id, start, end, stored in (
        written.order_by("pk")
        .values_list(
            "conversation_id",
            "author_user_id",
            "conversation__first_message_at",
            "conversation__first_response_at",
            "conversation__first_response_seconds",
        )
        .iterator(chunk_size=5000)
    ):
        if conversation_id in seen:  # two replies in the same second: the first written
            continue
        seen.add(conversation_id)
        groups.setdefault(author_id, []).append((clock.seconds(start, end, stored), False))
    people = {u.pk: str(u) for u in User.objects.filter(pk__in=list(groups))}
    rows = [_group(key, people.get(key), rows, clock) for key, rows in groups.items()]
    elsewhere = answered.exclude(pk__in=written.values("conversation_id")) if seen else answered
    if elsewhere.exists():
        rows.append(_group_of(None, None, elsewhere, clock))
    return _by_name(rows)
