"""A goal's figures from the KPI registry: baseline, current value, progress series, forecast
and status (the rules are in `goal_forecast`). Reads only; `goal_services.evaluate` stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from socialdesk.goals import goal_forecast, kpis
from socialdesk.goals.goal_models import Goal
from socialdesk.goals.kpis import Grain, Kpi, Period, Scope, Unit


def kpi_of(goal: Goal) -> Kpi:
    return kpis.get(goal.kpi)


def is_total(kpi: Kpi) -> bool:
    """A count that adds up over days (measured from the start), not a level."""
    return kpi.unit == Unit.COUNT and not kpi.point_in_time and not kpi.extra.get("level")


def scope_of(goal: Goal, department_ids: tuple[int, ...] | None = None) -> Scope:
    """The goal's scope over everything (the figure is the organisation's, not a reader's)."""
    if department_ids is None:
        department_ids = tuple(sorted(goal.departments.values_list("pk", flat=True)))
    return Scope(
        user=None,
        accounts=tuple(goal.accounts),
        departments=department_ids,
        tags=tuple(goal.tags),
        business_hours=goal.business_hours,
    )


def grain_of(start: date, deadline: date) -> Grain:
    """Days for a goal of up to a month, weeks up to half a year, months beyond."""
    days = (deadline - start).days + 1
    if days <= 31:
        return Grain.DAY
    if days <= 183:
        return Grain.WEEK
    return Grain.MONTH


def baseline_period(start: date, deadline: date) -> Period:
    """The same length just before the start."""
    return Period.of_days(start, deadline).previous()


def current_period(kpi: Kpi, start: date, deadline: date, today: date) -> Period:
    """What "the current value" covers: since the start for a total; the last WINDOW_DAYS for
    a level (or since the start, if shorter); never beyond the deadline."""
    last = min(today, deadline)
    if is_total(kpi):
        return Period.of_days(start, last)
    return Period.of_days(max(start, last - timedelta(days=goal_forecast.WINDOW_DAYS - 1)), last)


@dataclass(frozen=True)
class Figures:
    baseline: float | None
    current: float | None
    forecast: float | None
    status: str
    series: list[list[Any]]  # [[iso day, value or None], …]; a total's is its running total


def measure(goal: Goal, *, now: datetime | None = None) -> Figures:
    now = now or timezone.now()
    today = timezone.localdate(now)
    kpi = kpi_of(goal)
    scope = scope_of(goal)
    params = goal.params
    start, deadline = goal.start, goal.deadline
    baseline = kpi.value(baseline_period(start, deadline), params=params, scope=scope, now=now)
    if today < start:
        return Figures(baseline, None, None, goal_forecast.NOT_STARTED, [])
    current = kpi.value(
        current_period(kpi, start, deadline, today), params=params, scope=scope, now=now
    )
    series = _series(kpi, goal, scope, today, now)
    forecast = None
    if today <= deadline:
        forecast = _forecast(kpi, goal, scope, today, now, current, series)
    judged = goal_forecast.judge(
        today=today,
        start=start,
        deadline=deadline,
        current=current,
        forecast=forecast,
        target=goal.target,
        comparison=goal.comparison,
        total=is_total(kpi),
        share=kpi.unit == Unit.SHARE,
    )
    return Figures(baseline, current, judged.forecast, judged.status, series)


def _series(kpi: Kpi, goal: Goal, scope: Scope, today: date, now: datetime) -> list[list[Any]]:
    if kpi.point_in_time:
        return []
    last = min(today, goal.deadline)
    points = kpi.series(
        Period.of_days(goal.start, last),
        grain_of(goal.start, goal.deadline),
        params=goal.params,
        scope=scope,
        now=now,
    )
    out: list[list[Any]] = []
    running = 0.0
    for point in points:
        value = point.value
        if is_total(kpi):
            running += value or 0.0
            value = running
        out.append([point.period.start.isoformat(), value])
    return out


def _forecast(
    kpi: Kpi,
    goal: Goal,
    scope: Scope,
    today: date,
    now: datetime,
    current: float | None,
    series: list[list[Any]],
) -> float | None:
    if is_total(kpi):
        since = max(goal.start, today - timedelta(days=goal_forecast.TREND_DAYS))
        if since >= today:
            return None
        daily = kpi.series(
            Period(since, today), Grain.DAY, params=goal.params, scope=scope, now=now
        )
        return goal_forecast.forecast_total(
            [(p.period.start, p.value) for p in daily],
            so_far=current or 0.0,
            today=today,
            deadline=goal.deadline,
        )
    if kpi.point_in_time:
        return None
    grain = Grain.DAY if (today - goal.start).days < 21 else Grain.WEEK
    if grain == Grain.WEEK and grain_of(goal.start, goal.deadline) == Grain.WEEK:
        points = [(date.fromisoformat(day), value) for day, value in series]
    else:
        points = [
            (p.period.start, p.value)
            for p in kpi.series(
                Period.of_days(goal.start, min(today, goal.deadline)),
                grain,
                params=goal.params,
                scope=scope,
                now=now,
            )
        ]
    # Only whole buckets: the one still running would pull the line with a part of its data.
    complete = [(day, value) for day, value in points if _bucket_end(day, grain) <= today]
    return goal_forecast.forecast_level(
        complete, deadline=goal.deadline, clamp_share=kpi.unit == Unit.SHARE
    )


def _bucket_end(day: date, grain: Grain) -> date:
    if grain == Grain.DAY:
        return day + timedelta(days=1)
    return day + timedelta(days=7 - day.weekday())
