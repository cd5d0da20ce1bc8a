"""The first-response KPI: how many questions were answered, and how fast.

A conversation counts when its first message is inbound and needs a reply. Its first
response is the earliest company message at or after that first message. Each counted
conversation is one of three: *within* (answered within the target), *missed* (answered
late, or not answered and past the target) or *pending* (not answered yet and still inside
the target: it can still go either way, so it is neither a success nor a miss).
`rate_within` is `answered_within / (conversations - pending)`, and None while nothing is
decided. Percentiles are over answered conversations, interpolated linearly between the two
nearest ranks (as numpy's default). `by_department` and `by_person` break the figures down:
per department over its conversations, per person over the first responses they wrote in
socialdesk (a row without a person holds first responses written elsewhere, e.g. imported).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, IntegerField, Q, QuerySet, Value
from django.utils import timezone

from socialdesk.accounts.models import Department, Organisation, User
from socialdesk.channels.selectors import account_ids
from socialdesk.core.percentiles import (
    PercentilesCont,
    in_database,
    interpolate,
    percentile,
    spread,
)
from socialdesk.inbox.models import Conversation, Direction, Message
from socialdesk.inbox.selectors import conversations_for_user, sees_every_conversation
from socialdesk.sla.calendar import business_time_between

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """Parse `24h`, `90m`, `1d`, `1h30m` or plain seconds into a timedelta."""
    text = text.strip()
    try:
        if text.isascii() and text.isdigit():
            return timedelta(seconds=int(text))
        parts = _DURATION.findall(text)
        if not parts or _DURATION.sub("", text).strip():
            raise ValueError(f"{text!r} is not a duration such as 24h, 90m, 1d or 1h30m")
        return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u.lower()] for n, u in parts))
    except OverflowError:
        raise ValueError(f"{text!r} is longer than any duration we can count") from None


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


@dataclass(frozen=True)
class FirstResponseKpi:
    within_seconds: int
    conversations: int
    answered: int
    answered_within: int
    pending: int
    missed: int
    rate_within: float | None
    median_seconds: float | None
    p90_seconds: float | None
    account: str | None = None
    since: str | None = None
    until: str | None = None
    business_hours: str | None = None
    by_department: list[GroupKpi] = field(default_factory=list)
    by_person: list[GroupKpi] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def counted_conversations(
    *,
    user: User | None = None,
    account: str | None = None,
    since: date | None = None,
    until: date | None = None,
    departments: Collection[int] = (),
) -> QuerySet[Conversation]:
    """Return the conversations the KPI counts, filtered by account and first-message date.

    With `user`, only the conversations that person may see (a department member's KPI is
    over their departments' conversations); without, all of them (the operator's CLI).
    """
    base = Conversation.objects.all() if user is None else conversations_for_user(user)
    conversations = base.filter(first_message_inbound=True, needs_reply=True)
    if account:  # by id, not a join: with a join PostgreSQL read every question of the period
        conversations = conversations.filter(channel_account_id__in=account_ids([account]))
    if departments:  # the conversations handed to these departments
        conversations = conversations.filter(department_id__in=list(departments))
    zone = ZoneInfo(Organisation.current().time_zone)
    if since:
        conversations = conversations.filter(
            first_message_at__gte=datetime.combine(since, time.min, tzinfo=zone)
        )
    if until:
        conversations = conversations.filter(
            first_message_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
        )
    return conversations


def _percentile_sql(answered: QuerySet[Conversation], count: int, share: float) -> float | None:
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


class _Clock:
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
    key: int | None, name: str | None, rows: Sequence[tuple[float | None, bool]], clock: _Clock
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
    key: int | None, name: str | None, conversations: QuerySet[Conversation], clock: _Clock
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
        median_seconds=_percentile_sql(answered, counts["answered"], 0.5),
    )


def _by_name(rows: list[GroupKpi]) -> list[GroupKpi]:
    """Named rows in alphabetical order, the row without a name last."""
    return sorted(rows, key=lambda row: (row.name is None, (row.name or "").casefold()))


def _by_department(
    conversations: QuerySet[Conversation], user: User | None, clock: _Clock
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


def _by_person(conversations: QuerySet[Conversation], clock: _Clock) -> list[GroupKpi]:
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


def _figures(clock: _Clock, within: timedelta, *, spread_too: bool) -> dict[str, Any]:
    """The first-response KPI's counts (and with `spread_too` its median and 90th percentile,
    PostgreSQL) as aggregates of the counted conversations."""
    figures: dict[str, Any] = {
        "total": Count("first_message_inbound"),
        "answered": Count("first_response_seconds"),
        "within": Count(
            "first_message_inbound", filter=Q(first_response_seconds__lte=within.total_seconds())
        ),
        "pending": Count("first_message_inbound", filter=clock.pending_q()),
    }
    if spread_too:
        figures["spread"] = PercentilesCont("first_response_seconds", (0.5, 0.9))
    return figures


def _kpi(
    within: timedelta,
    total: int,
    answered: int,
    within_count: int,
    pending: int,
    median: float | None,
    p90: float | None,
    *,
    account: str | None,
    since: date | None,
    until: date | None,
    calendar_name: str | None,
    by_department: list[GroupKpi] | None = None,
    by_person: list[GroupKpi] | None = None,
) -> FirstResponseKpi:
    """The figures from the counts: what is missed and the rate follow from them."""
    return FirstResponseKpi(
        within_seconds=int(within.total_seconds()),
        conversations=total,
        answered=answered,
        answered_within=within_count,
        pending=pending,
        missed=total - within_count - pending,
        rate_within=rate(within_count, total, pending),
        median_seconds=median,
        p90_seconds=p90,
        account=account,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        business_hours=calendar_name,
        by_department=by_department or [],
        by_person=by_person or [],
    )


def first_responses(
    *,
    periods: Sequence[tuple[date, date]],
    within: timedelta,
    user: User | None = None,
    account: str | None = None,
    calendar: Any = None,
    calendar_name: str | None = None,
    now: datetime | None = None,
    departments: Collection[int] = (),
) -> list[FirstResponseKpi]:
    """`first_response` (with percentiles, without the breakdowns) for each of several periods
    (first and last day). On PostgreSQL without a business calendar in one statement: each
    period's pass is a part of a UNION ALL, and PostgreSQL runs the parts side by side
    (Parallel Append). A period's percentiles take one process (they are not split among
    workers): the quarter and the quarter before took 2 × 213 ms one after the other at 10
    million messages, while the second core waited."""
    now = now or timezone.now()
    if calendar is not None or not in_database() or len(periods) < 2:
        return [
            first_response(
                within=within,
                user=user,
                account=account,
                since=since,
                until=until,
                calendar=calendar,
                calendar_name=calendar_name,
                now=now,
                breakdown=False,
                departments=departments,
            )
            for since, until in periods
        ]
    clock = _Clock(within, now, None)
    figures = _figures(clock, within, spread_too=True)
    parts = [
        counted_conversations(
            user=user, account=account, since=since, until=until, departments=departments
        )
        .order_by()
        .values("first_message_inbound")  # one group: every counted conversation has it
        .annotate(part=Value(n, output_field=IntegerField()), **figures)
        for n, (since, until) in enumerate(periods)
    ]
    rows: dict[int, dict[str, Any]] = {}
    row: dict[str, Any]
    for row in parts[0].union(*parts[1:], all=True):  # type: ignore[assignment]  # annotations
        rows[int(row["part"])] = row
    results = []
    for n, (since, until) in enumerate(periods):
        row = rows.get(n, {})  # no row: no question in the period
        total, within_count = int(row.get("total", 0)), int(row.get("within", 0))
        pending = int(row.get("pending", 0))
        median, p90 = spread(row.get("spread"))
        results.append(
            _kpi(
                within, total, int(row.get("answered", 0)), within_count, pending, median, p90,
                account=account, since=since, until=until, calendar_name=calendar_name,
            )
        )  # fmt: skip
    return results


def first_response(
    *,
    within: timedelta,
    user: User | None = None,
    account: str | None = None,
    since: date | None = None,
    until: date | None = None,
    calendar: Any = None,
    calendar_name: str | None = None,
    now: datetime | None = None,
    breakdown: bool = True,
    departments: Collection[int] = (),
    percentiles: bool = True,
) -> FirstResponseKpi:
    """Compute the first-response KPI; with a business calendar, count only open hours.

    `now` decides which unanswered questions are still pending (default: this moment).
    `percentiles=False` leaves the median and p90 out (None) where only the share is wanted.
    """
    now = now or timezone.now()
    clock = _Clock(within, now, calendar)
    conversations = counted_conversations(
        user=user, account=account, since=since, until=until, departments=departments
    )
    answered = conversations.filter(first_response_seconds__isnull=False)
    if calendar is None:
        # One pass for the four counts (and on PostgreSQL the percentiles), counting a column
        # of the index `conversation_kpi_response` (never NULL here), not the id, so that the
        # index answers alone; on SQLite the percentiles read two index positions each.
        by_database = percentiles and in_database()
        counts = conversations.aggregate(**_figures(clock, within, spread_too=by_database))
        total, answered_count, within_count = counts["total"], counts["answered"], counts["within"]
        pending = counts["pending"]
        median = p90 = None
        if by_database:
            median, p90 = spread(counts["spread"])
        elif percentiles:
            median = _percentile_sql(answered, answered_count, 0.5)
            p90 = _percentile_sql(answered, answered_count, 0.9)
    else:
        total = conversations.count()
        seconds = sorted(
            clock.seconds(start, end, None)
            for start, end in answered.values_list(
                "first_message_at", "first_response_at"
            ).iterator()
            if start is not None and end is not None
        )
        answered_count = len(seconds)
        within_count = sum(1 for s in seconds if s <= within.total_seconds())
        pending = sum(
            1
            for start in conversations.filter(first_response_seconds__isnull=True)
            .values_list("first_message_at", flat=True)
            .iterator()
            if clock.pending(start)
        )
        median, p90 = percentile(seconds, 0.5), percentile(seconds, 0.9)
    return _kpi(
        within, total, answered_count, within_count, pending, median, p90,
        account=account, since=since, until=until, calendar_name=calendar_name,
        by_department=_by_department(conversations, user, clock) if breakdown else [],
        by_person=_by_person(conversations, clock) if breakdown else [],
    )  # fmt: skip
