"""The first-response KPI of past periods of up to `figure_days.MAX_DAYS` days, kept day by
day (`core.figure_days`): a late first reply to a question of last week recomputes that day's
figures, not the period's. A day keeps its counts and the first-response times of its answered
questions; a period's figures are the sums and the percentiles of all its days' times
together: the same figures as one pass over the period."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q, QuerySet
from django.db.models.functions import Trunc

from socialdesk.core import figure_days
from socialdesk.inbox.models import Conversation

COUNTS = ("total", "answered", "within", "pending")
# A day's figures: its counts and the first-response times of its answered questions.
DayFigures = tuple[Any, ...]
Computed = dict[date, tuple[DayFigures, datetime | None]]


def places_of(
    conversations: QuerySet[Conversation],
    within: timedelta,
    periods: Sequence[tuple[datetime | None, datetime | None]],
    now: datetime,
    source: str,
) -> list[figure_days.Period | None]:
    """Where each period (its bounds) and its days are kept; None for a period not kept day by
    day. `conversations`: the counted ones without a period's bounds."""
    what = ("first_response_days", within.total_seconds())
    return [
        figure_days.places(conversations, what, sources=(source,), start=start, end=end, now=now)
        for start, end in periods
    ]


def rows(
    conversations: QuerySet[Conversation],
    figures: dict[str, Any],
    within: timedelta,
    places: Sequence[figure_days.Period | None],
    *,
    one_pass: Callable[[list[int]], dict[int, tuple[dict[str, Any], datetime | None]]],
) -> list[dict[str, Any] | None]:
    """For each period (`places_of`), its figures in the shape of one pass's aggregate (the
    counts and `spread`: median and 90th percentile), merged from its days; None for a period
    not kept day by day. `conversations`: the counted ones without a period's bounds;
    `figures`: the counts as aggregates (`sla.kpi._figures`, without percentiles);
    `one_pass(periods)`: the figures and until of these periods (positions in `places`), each
    in one pass over it, for a first view."""
    daily = [period for period in places if period is not None]
    if not daily:
        return [None] * len(places)
    zone = daily[0].days[0].start.tzinfo

    def compute(spans: list[figure_days.Day]) -> Computed:
        grouped: Any = (  # rows of the counts' names (the type checker knows `day`, `times`)
            conversations.filter(figure_days.within("first_message_at", spans))
            .order_by()
            .values(day=Trunc("first_message_at", "day", tzinfo=zone))
            .annotate(
                **figures,
                times=ArrayAgg(
                    "first_response_seconds", filter=Q(first_response_seconds__isnull=False)
                ),
            )
        )
        found: Computed = {}
        for row in grouped:
            first = row["first_pending"]  # it turns missed `within` later
            found[row["day"].astimezone(zone).date()] = (
                (*(row[name] for name in COUNTS), figure_days.times(row["times"])),
                None if first is None else first + within,
            )
        return found

    nothing: DayFigures = (0, 0, 0, 0, figure_days.times(()))  # a day without questions
    positions = [n for n, period in enumerate(places) if period is not None]

    def whole(ns: list[int]) -> dict[int, tuple[dict[str, Any], datetime | None]]:
        found = one_pass([positions[n] for n in ns])
        return {n: found[positions[n]] for n in ns}

    kept = iter(figure_days.kept(daily, compute, nothing, _merge, whole))
    return [None if period is None else next(kept) for period in places]


def _merge(days: list[DayFigures]) -> dict[str, Any]:
    """A period's figures from its days': the counts added up, the percentiles of all the
    days' times together."""
    row: dict[str, Any] = {name: sum(day[n] for day in days) for n, name in enumerate(COUNTS)}
    row["spread"] = figure_days.percentiles([day[4] for day in days], (0.5, 0.9))
    return row
