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

from django.db.models import Count, IntegerField, Min, Q, QuerySet, Value
from django.utils import timezone

from socialdesk.accounts.models import Organisation, User
from socialdesk.channels.selectors import account_ids
from socialdesk.core import figure_cache, figure_days
from socialdesk.core.percentiles import (
    PercentilesCont,
    in_database,
    percentile,
    spread,
)
from socialdesk.inbox.models import Conversation
from socialdesk.inbox.selectors import conversations_for_user
from socialdesk.sla import kpi_days
from socialdesk.sla.kpi_groups import (
    Clock,
    GroupKpi,
    by_department,
    by_person,
    percentile_sql,
    rate,
)

SOURCE = "inbox_conversation"  # the change log's name of the conversations (inbox/migrations/0032)
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
    bounds: tuple[datetime | None, datetime | None] | None = None,
) -> QuerySet[Conversation]:
    """Return the conversations the KPI counts, filtered by account and first-message date
    (`bounds`: the period's moments when the caller has them, `period_bounds`).

    With `user`, only the conversations that person may see (a department member's KPI is
    over their departments' conversations); without, all of them (the operator's CLI).
    """
    base = Conversation.objects.all() if user is None else conversations_for_user(user)
    conversations = base.filter(first_message_inbound=True, needs_reply=True)
    if account:  # by id, not a join: with a join PostgreSQL read every question of the period
        conversations = conversations.filter(channel_account_id__in=account_ids([account]))
    if departments:  # the conversations handed to these departments
        conversations = conversations.filter(department_id__in=list(departments))
    start, end = bounds or period_bounds(since, until)
    if start:
        conversations = conversations.filter(first_message_at__gte=start)
    if end:
        conversations = conversations.filter(first_message_at__lt=end)
    return conversations


def period_bounds(
    since: date | None, until: date | None
) -> tuple[datetime | None, datetime | None]:
    """The moments a period of days begins and ends (exclusive) in the organisation's time
    zone; None for an open side."""
    zone = ZoneInfo(Organisation.current().time_zone)
    start = datetime.combine(since, time.min, tzinfo=zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone) if until else None
    return start, end


def _figures(clock: Clock, within: timedelta, *, spread_too: bool) -> dict[str, Any]:
    """The first-response KPI's counts (and with `spread_too` its median and 90th percentile,
    PostgreSQL) as aggregates of the counted conversations."""
    figures: dict[str, Any] = {
        "total": Count("first_message_inbound"),
        "answered": Count("first_response_seconds"),
        "within": Count(
            "first_message_inbound", filter=Q(first_response_seconds__lte=within.total_seconds())
        ),
        "pending": Count("first_message_inbound", filter=clock.pending_q()),
        # the first pending question's first message: it turns missed `within` later
        "first_pending": Min("first_message_at", filter=clock.pending_q()),
    }
    if spread_too:
        figures["spread"] = PercentilesCont("first_response_seconds", (0.5, 0.9))
    return figures


# A period without questions, as its aggregate reads (a UNION ALL part gives no row for it).
_NO_QUESTION: dict[str, Any] = {
    "total": 0, "answered": 0, "within": 0, "pending": 0, "first_pending": None, "spread": None,
}  # fmt: skip


def _turns(counts: dict[str, Any], within: timedelta) -> datetime | None:
    """Until when the counts hold: the moment the first pending question turns missed."""
    first = counts.get("first_pending")
    return None if first is None else first + within


def _place(
    conversations: QuerySet[Conversation],
    within: timedelta,
    spread_too: bool,
    bounds: tuple[datetime | None, datetime | None],
    now: datetime,
) -> figure_cache.Place | None:
    """Where a past period's counts are kept until a conversation in it changes
    (`core.figure_cache`): keyed by the query of its conversations (whose they are)."""
    return figure_cache.place(
        conversations, ("first_response", within.total_seconds(), spread_too),
        sources=(SOURCE,), start=bounds[0], end=bounds[1], now=now,
    )  # fmt: skip


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
    clock = Clock(within, now, None)
    figures = _figures(clock, within, spread_too=True)
    bounds = [period_bounds(since, until) for since, until in periods]
    counted = [
        counted_conversations(
            user=user, account=account, since=since, until=until, departments=departments,
            bounds=bounds[n],
        )
        for n, (since, until) in enumerate(periods)
    ]  # fmt: skip
    every_day = counted_conversations(
        user=user, account=account, departments=departments, bounds=(None, None)
    )
    # Past periods of up to a month are kept day by day once they changed, others whole
    # (`core.figure_days`, `core.figure_cache`); every period computed in one pass (a first
    # view, a longer period) in the same statement.
    daily = kpi_days.places_of(every_day, within, bounds, now, SOURCE)
    places = [
        None if daily[n] else _place(counted[n], within, True, bounds[n], now)
        for n in range(len(periods))
    ]
    rows: dict[int, dict[str, Any]] = {}
    for n, where in enumerate(places):  # past periods kept since they were last read
        if daily[n] is None:
            hit, kept = figure_cache.found(where)
            if hit:
                rows[n] = kept
    missing = [n for n in range(len(periods)) if daily[n] is None and n not in rows]
    seen = figure_cache.snapshot(*(places[n] for n in missing)) if missing else None
    passed: dict[int, dict[str, Any]] = {}

    def one_pass(ns: list[int]) -> dict[int, tuple[dict[str, Any], datetime | None]]:
        passed.update(_one_pass(counted, [*ns, *missing], figures))
        return {n: (passed[n], _turns(passed[n], within)) for n in ns}

    by_day = kpi_days.rows(
        every_day, _figures(clock, within, spread_too=False), within, daily, one_pass=one_pass
    )
    rows.update({n: row for n, row in enumerate(by_day) if row is not None})
    if missing and not passed:
        passed.update(_one_pass(counted, missing, figures))
    for n in missing:
        rows[n] = passed[n]
        figure_cache.keep(places[n], seen, rows[n], _turns(rows[n], within))
    results = []
    for n, (since, until) in enumerate(periods):
        row = rows[n]
        total, within_count = int(row.get("total") or 0), int(row.get("within") or 0)
        pending = int(row.get("pending") or 0)
        median, p90 = spread(row.get("spread"))
        results.append(
            _kpi(
                within, total, int(row.get("answered") or 0), within_count, pending, median, p90,
                account=account, since=since, until=until, calendar_name=calendar_name,
            )
        )  # fmt: skip
    return results


def _one_pass(
    counted: Sequence[QuerySet[Conversation]], periods: Sequence[int], figures: dict[str, Any]
) -> dict[int, dict[str, Any]]:
    """The figures (`figures`, with the percentiles) of these periods (positions in `counted`)
    in one statement: one pass, or a UNION ALL of one part per period, whose parts PostgreSQL
    runs side by side (Parallel Append)."""
    if len(periods) == 1:
        return {periods[0]: counted[periods[0]].aggregate(**figures)}
    rows: dict[int, dict[str, Any]] = {}
    if periods:
        parts = [
            counted[n]
            .order_by()
            .values("first_message_inbound")  # one group: every counted conversation has it
            .annotate(part=Value(n, output_field=IntegerField()), **figures)
            for n in periods
        ]
        row: dict[str, Any]
        for row in parts[0].union(*parts[1:], all=True):  # type: ignore[assignment]  # annotations
            rows[int(row["part"])] = row
    return {n: rows.get(n, dict(_NO_QUESTION)) for n in periods}  # no row: no question


def _past_days_and_today(
    *,
    user: User | None,
    account: str | None,
    departments: Collection[int],
    bounds: tuple[datetime | None, datetime | None],
    within: timedelta,
    clock: Clock,
    now: datetime,
) -> dict[str, Any] | None:
    """The counts of a period going on (it ends after `now`: a goal's four weeks up to today)
    as those of its past days, kept as a past period's are (`kpi_days`: a change recomputes its
    day), and today's, counted now. Counted whole, the month's questions were read at every
    view (at 10 million messages 47 ms). None: a period that is over, begun today, longer than
    `figure_days.MAX_DAYS`, or not kept (SQLite)."""
    split = figure_days.split_at_midnight(bounds, now)
    if split is None:
        return None
    start, midnight, end = split
    every_day = counted_conversations(
        user=user, account=account, departments=departments, bounds=(None, None)
    )
    places = kpi_days.places_of(every_day, within, [(start, midnight)], now, SOURCE)
    if places[0] is None:
        return None

    def between(low: datetime, high: datetime) -> QuerySet[Conversation]:
        """The counted conversations first asked in [low, high), as `counted_conversations`
        bounds them (not built again: a member's departments would be read again)."""
        return every_day.filter(first_message_at__gte=low, first_message_at__lt=high)

    def one_pass(_ns: list[int]) -> dict[int, tuple[dict[str, Any], datetime | None]]:
        """The past days in one pass, with the percentiles: kept in the shape every reader of
        those days keeps them in (a past period's, `first_responses`)."""
        past = between(start, midnight).aggregate(**_figures(clock, within, spread_too=True))
        return {0: (past, _turns(past, within))}

    counts = _figures(clock, within, spread_too=False)
    (past,) = kpi_days.rows(every_day, counts, within, places, one_pass=one_pass)
    if past is None:
        return None
    today = between(midnight, end).aggregate(**counts)
    return {name: int(past[name] or 0) + int(today[name] or 0) for name in kpi_days.COUNTS}


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
    clock = Clock(within, now, calendar)
    bounds = period_bounds(since, until)
    conversations = counted_conversations(
        user=user, account=account, since=since, until=until, departments=departments,
        bounds=bounds,
    )  # fmt: skip
    answered = conversations.filter(first_response_seconds__isnull=False)
    if calendar is None:
        # One pass for the four counts (and on PostgreSQL the percentiles), counting a column
        # of the index `conversation_kpi_response` (never NULL here), not the id, so that the
        # index answers alone; on SQLite the percentiles read two index positions each. A
        # past period's counts are kept until a conversation in it changes.
        by_database = percentiles and in_database()

        def read() -> tuple[dict[str, Any], datetime | None]:
            found = conversations.aggregate(**_figures(clock, within, spread_too=by_database))
            return found, _turns(found, within)

        # A past period of up to a month is kept whole, and day by day once it changed (a
        # change then recomputes its day), a longer one whole (`core.figure_days`,
        # `core.figure_cache`).
        counts = None
        if not percentiles and in_database():  # a goal's share of a period going on
            counts = _past_days_and_today(
                user=user, account=account, departments=departments, bounds=bounds,
                within=within, clock=clock, now=now,
            )  # fmt: skip
        if by_database:
            every_day = counted_conversations(
                user=user, account=account, departments=departments, bounds=(None, None)
            )
            (counts,) = kpi_days.rows(
                every_day, _figures(clock, within, spread_too=False), within,
                kpi_days.places_of(every_day, within, [bounds], now, SOURCE),
                one_pass=lambda _n: {0: read()},
            )  # fmt: skip
        if counts is None:
            counts = figure_cache.kept(
                _place(conversations, within, by_database, bounds, now), read
            )
        total, answered_count, within_count = counts["total"], counts["answered"], counts["within"]
        pending = counts["pending"]
        median = p90 = None
        if by_database:
            median, p90 = spread(counts["spread"])
        elif percentiles:
            median = percentile_sql(answered, answered_count, 0.5)
            p90 = percentile_sql(answered, answered_count, 0.9)
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
        by_department=by_department(conversations, user, clock) if breakdown else [],
        by_person=by_person(conversations, clock) if breakdown else [],
    )  # fmt: skip
