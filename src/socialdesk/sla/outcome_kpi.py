"""The SLA KPI: how many clocks were met, breached or are still pending, from recorded outcomes.

Per clock (first response, next response, resolution): `met`, `breached`, `pending` (running
and still inside its target: not missed), `rate_met` = met / (met + breached) (None when no
clock is decided yet), and the median and 90th percentile of the counting time of stopped
clocks (pauses left out; open hours when the policy has business hours), interpolated
linearly between the two nearest ranks (as numpy's default and `sla.kpi`).

Without a policy the live outcomes count. With `policy`, that policy's outcomes: those
evaluated afterwards (`socialdesk sla evaluate`) when there are any, else the live ones.
A period bounds when a clock started, in the organisation's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from socialdesk.accounts.models import User
from socialdesk.channels.selectors import account_ids
from socialdesk.core import figure_cache, figure_days
from socialdesk.core.percentiles import PercentilesCont, in_database, percentile, spread
from socialdesk.inbox.selectors import visibility
from socialdesk.sla import clocks, outcome_days
from socialdesk.sla.kpi import period_bounds
from socialdesk.sla.models import SlaOutcome

SOURCE = "sla_slaoutcome"  # the change log's name of the outcomes (sla/migrations/0007)


@dataclass(frozen=True)
class ClockFigures:
    met: int
    breached: int
    pending: int
    rate_met: float | None
    median_seconds: float | None
    p90_seconds: float | None


@dataclass(frozen=True)
class SlaKpi:
    first_response: ClockFigures
    next_response: ClockFigures
    resolution: ClockFigures
    evaluated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "first_response": asdict(self.first_response),
            "next_response": asdict(self.next_response),
            "resolution": asdict(self.resolution),
        }


def counted_outcomes(
    *,
    user: User | None = None,
    account: str | None = None,
    policy: str | None = None,
    since: date | None = None,
    until: date | None = None,
    departments: Collection[int] = (),
    bounds: tuple[datetime | None, datetime | None] | None = None,
) -> tuple[QuerySet[SlaOutcome], bool]:
    """Return the outcomes the KPI counts and whether they were evaluated afterwards.
    `bounds`: the period's moments when the caller has them (`kpi.period_bounds`)."""
    outcomes = SlaOutcome.objects.all()
    # The outcome's own copies of account, department and assignee (sla/copies.py): read from
    # the KPI's index with the rest, not through every clock's conversation.
    visible = visibility(user) if user is not None else None
    if visible is not None:
        outcomes = outcomes.filter(visible)
    if account:
        outcomes = outcomes.filter(channel_account_id__in=account_ids([account]))
    if departments:  # the clocks of conversations handed to these departments
        outcomes = outcomes.filter(department_id__in=list(departments))
    start, end = bounds or period_bounds(since, until)
    if start:
        outcomes = outcomes.filter(started_at__gte=start)
    if end:
        outcomes = outcomes.filter(started_at__lt=end)
    evaluated = False
    if policy:
        outcomes = outcomes.filter(policy_name=policy)
        evaluated = outcomes.filter(evaluated=True).exists()
    return outcomes.filter(evaluated=evaluated), evaluated


def sla_kpi(
    *,
    user: User | None = None,
    account: str | None = None,
    policy: str | None = None,
    since: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
    kinds: Collection[str] | None = None,
    departments: Collection[int] = (),
    times: bool = True,
) -> SlaKpi:
    """Compute the SLA KPI: the states counted by the database and (with `times`) the
    percentiles of the stopped clocks' counting times, in the same query on PostgreSQL, read
    once and sorted here on SQLite.

    `kinds`: only the clocks of these kinds (the figures of the others stay empty), e.g. for
    one KPI of the registry; both reads are then covered by the index `sla_outcome_kpi_seen`.
    `times=False` leaves out the percentiles (a share needs only the counts).
    """
    bounds = period_bounds(since, until)
    outcomes, evaluated = counted_outcomes(
        user=user, account=account, policy=policy, since=since, until=until,
        departments=departments, bounds=bounds,
    )  # fmt: skip
    now = now or timezone.now()
    # A pending clock whose target ran out since the clocks were last refreshed is breached.
    overdue = Q(state=clocks.PENDING, due_at__lt=now)
    # Counting a column of the index `sla_outcome_kpi_seen` (never NULL), not the id: the
    # index then answers alone.
    counts: dict[str, Any] = {
        "met": Count("state", filter=Q(state=clocks.MET)),
        "breached": Count("state", filter=Q(state=clocks.BREACHED) | overdue),
        "pending": Count(
            "state", filter=Q(state=clocks.PENDING) & (Q(due_at__isnull=True) | Q(due_at__gte=now))
        ),
        # the first moment a pending clock turns breached: the figures hold until then
        "turns": Min("due_at", filter=Q(state=clocks.PENDING, due_at__gte=now)),
    }
    # On PostgreSQL the percentiles come with the counts, in one pass over the period's
    # outcomes; SQLite has no percentile_cont, so the counting times are read and sorted here.
    by_database = times and in_database()
    if by_database:
        counts["spread"] = PercentilesCont("elapsed_seconds", (0.5, 0.9))
    asked = list(clocks.KINDS if kinds is None else kinds)

    def read() -> tuple[list[dict[str, Any]], datetime | None]:
        return _per_kind(outcomes, asked, counts)

    # A past period of up to a month is kept whole, and day by day once it changed (a change
    # then recomputes its day: core.figure_days); a longer one whole, until an outcome in it
    # changes (core.figure_cache). The key is the query of its outcomes (whose they are) and
    # what is computed of them. A period going on (a goal's share up to today): its past days
    # so, today counted (`_past_days_and_today`).
    by_day = None
    going_on = bounds[1] is not None and bounds[1] > now
    if in_database() and not policy and (by_database or going_on):
        every_day, _evaluated = counted_outcomes(
            user=user, account=account, departments=departments, bounds=(None, None)
        )
        if by_database:

            def one_pass() -> tuple[outcome_days.Figures, datetime | None]:
                rows, until = read()
                return figures_of(rows, by_database=True), until

            by_day = outcome_days.figures(every_day, asked, bounds, now, SOURCE, one_pass=one_pass)
        else:
            by_day = _past_days_and_today(every_day, asked, bounds, now, counts)
    if by_day is not None:
        states, spreads = by_day
    else:
        states, spreads = _whole(outcomes, asked, bounds, now, read, by_database=by_database)
    if times and not by_database:
        spent: dict[str, list[int]] = {kind: [] for kind in clocks.KINDS}
        stopped = outcomes.order_by().filter(kind__in=asked, elapsed_seconds__isnull=False)
        for kind, seconds in stopped.values_list("kind", "elapsed_seconds").iterator():
            if seconds is not None:  # filtered above; said again for the type checker
                spent[kind].append(seconds)
        for kind, values in spent.items():
            values.sort()
            spreads[kind] = (percentile(values, 0.5), percentile(values, 0.9))

    def figures(kind: str) -> ClockFigures:
        met, breached = states[kind][clocks.MET], states[kind][clocks.BREACHED]
        median, p90 = spreads.get(kind, (None, None))
        return ClockFigures(
            met=met,
            breached=breached,
            pending=states[kind][clocks.PENDING],
            rate_met=met / (met + breached) if met + breached else None,
            median_seconds=median,
            p90_seconds=p90,
        )

    return SlaKpi(
        first_response=figures(clocks.FIRST_RESPONSE),
        next_response=figures(clocks.NEXT_RESPONSE),
        resolution=figures(clocks.RESOLUTION),
        evaluated=evaluated,
    )


def _per_kind(
    outcomes: QuerySet[SlaOutcome], asked: Sequence[str], counts: dict[str, Any]
) -> tuple[list[dict[str, Any]], datetime | None]:
    """The rows of `counts` per asked kind, and when the first pending clock turns breached.

    One grouped query per kind, joined by UNION ALL: each reads its kind's stretch of the
    index, already in the group's order, where `kind IN (…)` made PostgreSQL sort the period's
    outcomes by kind (on disk at a few hundred thousand) before counting; and PostgreSQL runs
    the parts side by side (Parallel Append). A person's visibility, an account and
    departments are the outcomes' own copies (no join): the same for them (a department
    member's four weeks at 10 million messages: 125 → 84 ms)."""
    per_kind = [
        outcomes.filter(kind=kind).order_by().values("kind").annotate(**counts) for kind in asked
    ]
    counted = per_kind[0].union(*per_kind[1:], all=True).order_by() if per_kind[1:] else per_kind[0]
    rows: list[dict[str, Any]] = list(counted)  # type: ignore[arg-type]  # annotations
    return rows, figure_cache.earliest(*(row["turns"] for row in rows))


def _past_days_and_today(
    every_day: QuerySet[SlaOutcome],
    asked: Sequence[str],
    bounds: tuple[datetime | None, datetime | None],
    now: datetime,
    counts: dict[str, Any],
) -> outcome_days.Figures | None:
    """The states of a period going on (it ends after `now`: a goal's four weeks up to today)
    as those of its past days, kept as a past period's are (`outcome_days`: a clock stopping
    recomputes its day), and today's, counted now; no percentiles. Counted whole, a goal's
    four weeks of first-response clocks were read at every view (10 million messages: 66 ms).
    None: a period that is over, begun today, or longer than `figure_days.MAX_DAYS`.
    `every_day`: the counted outcomes without the period's bounds; `counts`: the states."""
    split = figure_days.split_at_midnight(bounds, now)
    if split is None:
        return None
    start, midnight, end = split
    with_times = {**counts, "spread": PercentilesCont("elapsed_seconds", (0.5, 0.9))}

    def one_pass() -> tuple[outcome_days.Figures, datetime | None]:
        """The past days in one pass with the percentiles: kept in the shape every reader of
        those days keeps them in (a past period's, `sla_kpi`)."""
        past = every_day.filter(started_at__gte=start, started_at__lt=midnight)
        rows, until = _per_kind(past, asked, with_times)
        return figures_of(rows, by_database=True), until

    kept = outcome_days.figures(every_day, asked, (start, midnight), now, SOURCE, one_pass=one_pass)
    if kept is None:
        return None
    states = {kind: dict(of_kind) for kind, of_kind in kept[0].items()}  # not the kept ones
    today = every_day.filter(started_at__gte=midnight, started_at__lt=end)
    for row in _per_kind(today, asked, counts)[0]:
        for state in (clocks.MET, clocks.BREACHED, clocks.PENDING):
            states[row["kind"]][state] += row[state]
    return states, {}


def _whole(
    outcomes: QuerySet[SlaOutcome],
    asked: list[str],
    bounds: tuple[datetime | None, datetime | None],
    now: datetime,
    read: Callable[[], tuple[list[dict[str, Any]], datetime | None]],
    *,
    by_database: bool,
) -> tuple[dict[str, dict[str, int]], dict[str, tuple[float | None, ...]]]:
    """The states (and on PostgreSQL the percentiles) of the period in one pass (`read`),
    kept whole until an outcome in it changes when the period is over."""
    where = figure_cache.place(
        outcomes, ("sla_kpi", tuple(asked), by_database), sources=(SOURCE,),
        start=bounds[0], end=bounds[1], now=now,
    )  # fmt: skip
    return figures_of(figure_cache.kept(where, read), by_database=by_database)


def figures_of(
    rows: list[dict[str, Any]], *, by_database: bool
) -> tuple[dict[str, dict[str, int]], dict[str, tuple[float | None, ...]]]:
    """The states (and on PostgreSQL the percentiles) per kind from one pass's rows."""
    states: dict[str, dict[str, int]] = {
        kind: {clocks.MET: 0, clocks.BREACHED: 0, clocks.PENDING: 0} for kind in clocks.KINDS
    }
    spreads: dict[str, tuple[float | None, ...]] = {}
    for row in rows:
        states[row["kind"]] = {
            clocks.MET: row["met"],
            clocks.BREACHED: row["breached"],
            clocks.PENDING: row["pending"],
        }
        if by_database:
            spreads[row["kind"]] = spread(row["spread"])
    return states, spreads
