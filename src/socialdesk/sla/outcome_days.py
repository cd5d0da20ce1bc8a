"""The SLA KPI of a past period of up to `figure_days.MAX_DAYS` days, kept day by day
(`core.figure_days`): a clock stopping for a question of last week recomputes that day's
figures, not the period's. A day keeps, per kind, its met, breached and pending clocks and the
counting times of its stopped clocks; the period's figures are their sums and the percentiles
of all the days' times together: the same figures as one pass over the period."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Trunc

from socialdesk.core import figure_cache, figure_days
from socialdesk.sla import clocks
from socialdesk.sla.models import SlaOutcome

_STATES = (clocks.MET, clocks.BREACHED, clocks.PENDING)
# A day's figures: per kind (met, breached, pending, the stopped clocks' counting times).
DayFigures = dict[str, tuple[int, int, int, Any]]
# A period's: per kind its states and (median, p90) of the counting times.
Figures = tuple[dict[str, dict[str, int]], dict[str, tuple[float | None, ...]]]


def figures(
    outcomes: QuerySet[SlaOutcome],
    asked: Sequence[str],
    bounds: tuple[datetime | None, datetime | None],
    now: datetime,
    source: str,
    *,
    one_pass: Callable[[], tuple[Figures, datetime | None]],
) -> Figures | None:
    """Each asked kind's states and (median, p90) of the counting times over the period
    `bounds` of `outcomes` (the counted outcomes without the period's bounds), from its days
    (or from `one_pass` over the period at a first view); None where the period
    is not kept day by day."""
    start, end = bounds
    period = figure_days.places(
        outcomes, ("sla_kpi_days", tuple(asked)), sources=(source,), start=start, end=end,
        now=now,
    )  # fmt: skip
    if period is None:
        return None
    zone = period.days[0].start.tzinfo

    def compute(spans: list[figure_days.Day]) -> dict[date, tuple[DayFigures, datetime | None]]:
        overdue = Q(state=clocks.PENDING, due_at__lt=now)
        rows = (
            outcomes.filter(figure_days.within("started_at", spans), kind__in=list(asked))
            .order_by()
            .values("kind", day=Trunc("started_at", "day", tzinfo=zone))
            .annotate(
                met=Count("state", filter=Q(state=clocks.MET)),
                breached=Count("state", filter=Q(state=clocks.BREACHED) | overdue),
                pending=Count(
                    "state",
                    filter=Q(state=clocks.PENDING) & (Q(due_at__isnull=True) | Q(due_at__gte=now)),
                ),
                turns=Min("due_at", filter=Q(state=clocks.PENDING, due_at__gte=now)),
                times=ArrayAgg("elapsed_seconds", filter=Q(elapsed_seconds__isnull=False)),
            )
        )
        found: dict[date, tuple[DayFigures, datetime | None]] = {}
        for row in rows:
            day = row["day"].astimezone(zone).date()
            kinds, until = found.get(day, ({}, None))
            kinds[row["kind"]] = (
                row["met"], row["breached"], row["pending"], figure_days.times(row["times"])
            )  # fmt: skip
            found[day] = (kinds, figure_cache.earliest(until, row["turns"]))
        return found

    nothing: DayFigures = {}  # a day without clocks

    (merged,) = figure_days.kept(
        [period], compute, nothing, lambda days: _merge(days, asked), lambda _n: {0: one_pass()}
    )
    return merged


def _merge(days: list[DayFigures], asked: Sequence[str]) -> Figures:
    """The period's states and (median, p90) per kind from its days'."""
    states = {kind: dict.fromkeys(_STATES, 0) for kind in clocks.KINDS}
    spreads: dict[str, tuple[float | None, ...]] = {}
    for kind in asked:
        of_kind = [day[kind] for day in days if kind in day]
        for n, state in enumerate(_STATES):
            states[kind][state] = sum(counts[n] for counts in of_kind)
        spreads[kind] = figure_days.percentiles([counts[3] for counts in of_kind], (0.5, 0.9))
    return states, spreads
