"""How a goal is measured, forecast and judged: pure functions over KPI values, no database.

Two kinds of KPI are measured differently (the goal page says which):

- A **total** (a count that adds up over days: messages, posts, ideas, feedback items) is
  measured from the goal's start: the current value is the total so far, the forecast the total
  at the deadline, from a Theil–Sen line through the running daily total of the last
  `TREND_DAYS` days (robust against a single busy day).
- A **level** (a share, a duration, an average, a count at a moment such as followers) is
  measured over the last `WINDOW_DAYS` days (or since the start, if that is shorter): the
  forecast is the level at the deadline from a Theil–Sen line through the weekly values since
  the start (daily values while the goal is younger than three weeks).

Status: before the start, or with nothing measured, "not started". After the deadline
"reached" or "missed" by the value at the deadline. Before it, "reached" only where it cannot be
lost any more (a total that has reached an "at least" target); otherwise the forecast decides:
meets the target "on track"; misses it by at most `RISK_MARGIN` of the target (at least one
percentage point for a share) "at risk"; further off "off track". With fewer than
`MIN_POINTS` values there is no trend: a level is then judged by its current value, a total
stays "not started" (its first days say nothing about its last).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WINDOW_DAYS = 28
TREND_DAYS = 28
MIN_POINTS = 3
RISK_MARGIN = 0.10
MIN_SHARE_MARGIN = 0.01

NOT_STARTED, ON_TRACK, AT_RISK, OFF_TRACK, REACHED, MISSED = (
    "not_started",
    "on_track",
    "at_risk",
    "off_track",
    "reached",
    "missed",
)


def meets(value: float, target: float, comparison: str) -> bool:
    return value >= target if comparison == "ge" else value <= target


def margin(target: float, *, share: bool) -> float:
    """How far a forecast may miss the target and still be "at risk" rather than off track."""
    allowed = abs(target) * RISK_MARGIN
    return max(allowed, MIN_SHARE_MARGIN) if share else allowed


def trend_at(points: Sequence[tuple[float, float | None]], x: float) -> float | None:
    """The Theil–Sen line through `(x, y)` points (None values left out) evaluated at `x`;
    None with fewer than MIN_POINTS values."""
    known = [(px, py) for px, py in points if py is not None]
    if len(known) < MIN_POINTS:
        return None
    xs = [float(px) for px, _ in known]
    ys = [float(py) for _, py in known]
    if len(set(xs)) < 2:
        return None
    from scipy.stats import theilslopes  # here: importing scipy.stats takes most of a second

    slope, intercept, _low, _high = theilslopes(ys, xs)
    return float(intercept + slope * x)


def forecast_total(
    daily: Sequence[tuple[date, float | None]], *, so_far: float, today: date, deadline: date
) -> float | None:
    """The total at the deadline: what is counted so far plus what the trend of the running
    total through the recent days (`daily`, each day's count, the last TREND_DAYS days up to
    yesterday) adds until the deadline. A forecast never falls below what is already counted.
    """
    recent = list(daily)[-TREND_DAYS:]
    if not recent:
        return None
    running, total = [], 0.0
    for day, value in recent:
        total += value or 0.0
        running.append((day, total))
    origin = recent[0][0]
    points = [((d - origin).days, v) for d, v in running]
    at_deadline = trend_at(points, (deadline - origin).days + 1)
    at_today = trend_at(points, (today - origin).days)
    if at_deadline is None or at_today is None:
        return None
    return so_far + max(at_deadline - at_today, 0.0)


def forecast_level(
    points: Sequence[tuple[date, float | None]], *, deadline: date, clamp_share: bool
) -> float | None:
    """The level at the deadline from the bucket values (each at its first day)."""
    if not points:
        return None
    origin = points[0][0]
    at = trend_at([((d - origin).days, v) for d, v in points], (deadline - origin).days)
    if at is None:
        return None
    if clamp_share:
        return min(max(at, 0.0), 1.0)
    return max(at, 0.0)


@dataclass(frozen=True)
class Judgement:
    status: str
    forecast: float | None


def judge(
    *,
    today: date,
    start: date,
    deadline: date,
    current: float | None,
    forecast: float | None,
    target: float,
    comparison: str,
    total: bool,
    share: bool,
) -> Judgement:
    """The status of a goal from its figures (see the module's docstring)."""
    if today < start or current is None:
        return Judgement(NOT_STARTED, forecast)
    if today > deadline:
        return Judgement(REACHED if meets(current, target, comparison) else MISSED, None)
    if total and comparison == "ge" and current >= target:
        return Judgement(REACHED, forecast)
    if total and comparison == "le" and current > target:
        return Judgement(OFF_TRACK, forecast)  # a total only grows: it cannot come back
    if total and forecast is None:
        # Fewer than MIN_POINTS days counted: a total of 0 on its first day says nothing yet.
        return Judgement(NOT_STARTED, None)
    expected = forecast if forecast is not None else current
    if meets(expected, target, comparison):
        return Judgement(ON_TRACK, forecast)
    if abs(expected - target) <= margin(target, share=share):
        return Judgement(AT_RISK, forecast)
    return Judgement(OFF_TRACK, forecast)
