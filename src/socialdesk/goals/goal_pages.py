"""What the goal pages show, computed from a goal's stored figures: the list's rows, the
progress chart with its table, the figures in words and the method in plain words."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from socialdesk.core.durations import human_duration
from socialdesk.goals import goal_forecast, kpis
from socialdesk.goals.charts import LineChart, Sparkline, line_chart, sparkline
from socialdesk.goals.goal_measure import baseline_period, current_period, is_total
from socialdesk.goals.goal_models import Comparison, Goal, GoalStatus
from socialdesk.goals.kpis import Kpi, KpiError, Period, Unit
from socialdesk.sla.kpi import parse_duration

# The order of the list: what needs attention first.
STATUS_ORDER = (
    GoalStatus.OFF_TRACK,
    GoalStatus.AT_RISK,
    GoalStatus.ON_TRACK,
    GoalStatus.NOT_STARTED,
    GoalStatus.REACHED,
    GoalStatus.MISSED,
)


def kpi_or_none(goal: Goal) -> Kpi | None:
    try:
        return kpis.get(goal.kpi)
    except KpiError:
        return None


def short_date(day: date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def period_text(period: Period) -> str:
    return _("%(start)s – %(end)s") % {
        "start": short_date(period.start),
        "end": short_date(period.last_day),
    }


def comparison_sign(goal: Goal) -> str:
    return "≥" if goal.comparison == "ge" else "≤"


def fmt(kpi: Kpi | None, value: float | None) -> str:
    if kpi is None:
        return "–" if value is None else number_format(round(value, 1), 1)
    return kpi.format(value)


def params_text(kpi: Kpi | None, goal: Goal) -> str:
    """The parameters in words: "within 24 h"."""
    if kpi is None:
        return ""
    parts = []
    for param in kpi.params:
        raw = goal.params.get(param.name, param.default)
        if param.kind == "duration":
            with contextlib.suppress(ValueError):
                raw = human_duration(parse_duration(raw))
            parts.append(_("within %(duration)s") % {"duration": raw})
        elif param.name == "sentiment":
            from socialdesk.goals.goal_forms import CHOICE_LABELS

            parts.append(str(CHOICE_LABELS.get(raw, raw)))
        elif raw:
            parts.append(f"{param.name}: {raw}")
    return ", ".join(parts)


@dataclass
class Row:
    goal: Goal
    kpi: Kpi | None
    label: str
    params: str
    target: str
    current: str
    forecast: str
    spark: Sparkline
    spark_label: str


def row(goal: Goal) -> Row:
    kpi = kpi_or_none(goal)
    values = [v for _d, v in goal.series]
    label = str(kpi.label) if kpi else goal.kpi
    return Row(
        goal,
        kpi,
        label,
        params_text(kpi, goal),
        f"{comparison_sign(goal)} {fmt(kpi, goal.target)}",
        fmt(kpi, goal.current),
        fmt(kpi, goal.forecast),
        sparkline(values, target=goal.target),
        _("Progress of “%(name)s”: now %(value)s, target %(target)s")
        % {"name": goal.name, "value": fmt(kpi, goal.current), "target": fmt(kpi, goal.target)},
    )


def grouped(goals: list[Goal]) -> list[tuple[str, str, list[Row]]]:
    """(status, its label, rows) in STATUS_ORDER, empty groups left out."""
    out = []
    for status in STATUS_ORDER:
        rows = [row(g) for g in goals if g.status == status]
        if rows:
            out.append((str(status), str(GoalStatus(status).label), rows))
    return out


def chart(goal: Goal, kpi: Kpi, *, today: date | None = None) -> LineChart:
    """The progress chart: the stored series (a total's running total), the target, the
    baseline, a dashed forecast from the last value to the deadline, today and the deadline."""
    today = today or timezone.localdate()
    points = [(date.fromisoformat(d), v) for d, v in goal.series]
    lines: list[tuple[str, list[tuple[date, float | None]], str]] = []
    label = _("Running total") if is_total(kpi) else str(kpi.label)
    lines.append((label, points, "series"))
    known = [(d, v) for d, v in points if v is not None]
    if goal.forecast is not None and known and known[-1][0] < goal.deadline:
        lines.append((_("Forecast"), [known[-1], (goal.deadline, goal.forecast)], "forecast"))
    if goal.baseline is not None and not is_total(kpi):
        lines.append(
            (
                _("Baseline"),
                [(goal.start, goal.baseline), (goal.deadline, goal.baseline)],
                "baseline",
            )
        )
    drawn = line_chart(
        _("Progress of “%(name)s”") % {"name": goal.name},
        lines,
        fmt=kpi.format,
        start=goal.start,
        end=goal.deadline,
        target=(goal.target, _("Target %(value)s") % {"value": kpi.format(goal.target)}),
        markers=[(today, _("Today"), "today"), (goal.deadline, _("Deadline"), "deadline")],
        y_ceiling=1.0 if kpi.unit == Unit.SHARE else None,
    )
    drawn.columns = [_("From"), label]
    drawn.rows = [(short_date(d), [kpi.format(v)]) for d, v in points]
    if goal.forecast is not None:
        drawn.rows.append(
            (
                _("%(date)s (forecast)") % {"date": short_date(goal.deadline)},
                [kpi.format(goal.forecast)],
            )
        )
    return drawn


@dataclass
class Figure:
    label: str
    value: str
    note: str


def figures(goal: Goal, kpi: Kpi, *, today: date | None = None) -> list[Figure]:
    today = today or timezone.localdate()
    base = baseline_period(goal.start, goal.deadline)
    out = [
        Figure(
            _("Baseline"),
            fmt(kpi, goal.baseline),
            _("the same length before the start: %(period)s") % {"period": period_text(base)},
        )
    ]
    if today >= goal.start:
        now = current_period(kpi, goal.start, goal.deadline, today)
        note = _("since the start: %(period)s") if is_total(kpi) else "%(period)s"
        out.append(Figure(_("Current value"), fmt(kpi, goal.current),
                          note % {"period": period_text(now)}))  # fmt: skip
    else:
        out.append(Figure(_("Current value"), "–", _("the goal starts on %(date)s")
                          % {"date": short_date(goal.start)}))  # fmt: skip
    out.append(
        Figure(
            _("Forecast"),
            fmt(kpi, goal.forecast),
            _("at the deadline, %(date)s") % {"date": short_date(goal.deadline)},
        )
    )
    out.append(
        Figure(
            _("Target"),
            f"{comparison_sign(goal)} {fmt(kpi, goal.target)}",
            str(Comparison(goal.comparison).label),
        )
    )
    return out


def method(kpi: Kpi, goal: Goal) -> list[str]:
    """`goal_forecast`'s rules in plain words, for this goal's kind of KPI."""
    margin = number_format(goal_forecast.RISK_MARGIN * 100, 0)
    words = {"window": goal_forecast.WINDOW_DAYS, "trend": goal_forecast.TREND_DAYS,
             "points": goal_forecast.MIN_POINTS, "margin": margin}  # fmt: skip
    if is_total(kpi):
        kind = _(
            "“%(kpi)s” is a total: it adds up day by day, so it is counted from the start. The "
            "current value is the total so far. The forecast adds to it what the recent pace "
            "brings until the deadline: a Theil–Sen line (the median of the slopes between all "
            "pairs of days, so a single busy day does not tilt it) through the running total of "
            "the last %(trend)s days. A forecast never falls below what is already counted."
        )
    else:
        kind = _(
            "“%(kpi)s” is a level (a share, a time or an average), so it is measured over the "
            "last %(window)s days (or since the start, if that is shorter). The forecast is the "
            "value of a Theil–Sen line (the median of the slopes between all pairs of points, so "
            "a single bad week does not tilt it) at the deadline, drawn through the weekly "
            "values since the start (daily values while the goal is younger than three weeks)."
        )
    status = _(
        "Status: before the start or with nothing measured, “not started”. Before the "
        "deadline the forecast decides: if it meets the target, “on track”; if it misses it by "
        "at most %(margin)s %% of the target (at least one percentage point for a share), “at "
        "risk”; further off, “off track”. A total that has reached an “at least” target is "
        "“reached” at once. After the deadline the value decides: “reached” or “missed”. With "
        "fewer than %(points)s values there is no trend yet: a level is then judged by its "
        "current value, and a total stays “not started”."
    )
    baseline = _(
        "The baseline is the same figure over the same length just before the start, for "
        "comparison."
    )
    return [kind % dict(words, kpi=kpi.label), status % words, baseline]


def scope_rows(goal: Goal) -> list[tuple[str, str]]:
    departments = ", ".join(d.name for d in goal.departments.order_by("name"))
    rows = [
        (_("Channel accounts"), ", ".join(goal.accounts)),
        (_("Departments"), departments),
        (_("Tags"), ", ".join(goal.tags)),
        (_("Business hours"), goal.business_hours),
    ]
    return [(label, value) for label, value in rows if value]


def history(goal: Goal, kpi: Kpi | None) -> list[dict[str, Any]]:
    return [
        {
            "at": change.at,
            "before": GoalStatus(change.before).label,
            "after": GoalStatus(change.after).label,
            "after_key": change.after,
            "current": fmt(kpi, change.current),
            "forecast": fmt(kpi, change.forecast),
        }
        for change in goal.status_changes.all()[:50]
    ]
