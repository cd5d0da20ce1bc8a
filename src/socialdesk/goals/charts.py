"""Charts as server-rendered SVG: the geometry is computed here, the templates
(`goals/charts/*.html`, through the `goal_charts` tags) only draw it.

Every chart has axes with readable tick labels (values through the caller's `fmt`, e.g.
`kpi.format`, dates in the reader's locale) and a title; the page shows a table alternative
beside it (the charts give `rows` for that). Nothing here knows about KPIs or goals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format

Format = Callable[[float], str]


@dataclass(frozen=True)
class Tick:
    pos: float  # x or y in the SVG
    label: str
    anchor: str = "middle"  # where an x label hangs: "end" near the right edge, not cut off


@dataclass(frozen=True)
class Line:
    label: str
    points: str  # "x,y x,y …" for <polyline>; a gap (None) starts a new polyline
    css: str = "series"
    dashed: bool = False
    segments: tuple[str, ...] = ()
    dots: tuple[tuple[float, float, str], ...] = ()  # x, y, tooltip


@dataclass(frozen=True)
class Rule:
    """A horizontal (target) or vertical (today, deadline) line with its label."""

    pos: float
    label: str
    css: str
    anchor: str = "middle"


def _anchor(pos: float, right: float) -> str:
    return "end" if pos > right - 40 else "middle"


@dataclass
class LineChart:
    title: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    rules_h: list[Rule] = field(default_factory=list)
    rules_v: list[Rule] = field(default_factory=list)
    rows: list[tuple[str, list[str]]] = field(default_factory=list)  # table alternative
    columns: list[str] = field(default_factory=list)


def nice_ticks(low: float, high: float, count: int = 5, *, whole: bool = False) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5, 5 × 10^n steps); `whole`: only
    whole numbers (for counts: no axis reading "0, 0, 1, 1")."""
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if whole:
        step = max(1.0, float(math.ceil(step)))
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(round((last - first) / step) + 1)]


def line_chart(
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[date, float | None]], str]],
    *,
    fmt: Format,
    start: date,
    end: date,
    target: tuple[float, str] | None = None,
    markers: Sequence[tuple[date, str, str]] = (),
    y_floor: float | None = 0.0,
    y_ceiling: float | None = None,
    width: int = 640,
    height: int = 260,
    whole: bool = False,
) -> LineChart:
    """A line per series over dates [start, end]; `target` = (value, label) as a horizontal
    rule; `markers` = (day, label, css) as vertical rules (today, the deadline); `whole`: an
    axis of whole numbers (counts)."""
    # Room at the right for half of the last date label (dd.mm.yyyy, centred on the end).
    chart = LineChart(title, width, height, left=64.0, right=width - 40.0, top=16.0,
                      bottom=height - 40.0)  # fmt: skip
    values = [v for _label, points, _css in series for _d, v in points if v is not None]
    if target is not None:
        values.append(target[0])
    low = min(values, default=0.0)
    high = max(values, default=1.0)
    if y_floor is not None:
        low = min(low, y_floor)
    if y_ceiling is not None:
        high = max(min(high, y_ceiling), low)
    ticks = nice_ticks(low, high, whole=whole)
    y0, y1 = ticks[0], ticks[-1]
    span_days = max((end - start).days, 1)

    def x(day: date) -> float:
        return round(chart.left + (chart.right - chart.left) * (day - start).days / span_days, 1)

    def y(value: float) -> float:
        share = (value - y0) / (y1 - y0) if y1 != y0 else 0.0
        return round(chart.bottom - (chart.bottom - chart.top) * share, 1)

    chart.y_ticks = [Tick(y(t), fmt(t)) for t in ticks]
    chart.x_ticks = [
        Tick(x(d), date_format(d, "SHORT_DATE_FORMAT")) for d in _date_ticks(start, end)
    ]
    for label, points, css in series:
        segments: list[str] = []
        current: list[str] = []
        dots: list[tuple[float, float, str]] = []
        for day, value in points:
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            current.append(f"{x(day)},{y(value)}")
            shown = f"{date_format(day, 'SHORT_DATE_FORMAT')}: {fmt(value)}"
            dots.append((x(day), y(value), shown))
        if current:
            segments.append(" ".join(current))
        chart.lines.append(
            Line(label, " ".join(segments), css, css.endswith("forecast"), tuple(segments),
                 tuple(dots))
        )  # fmt: skip
    if target is not None:
        chart.rules_h.append(Rule(y(target[0]), target[1], "target"))
    for day, label, css in markers:
        if start <= day <= end:
            chart.rules_v.append(Rule(x(day), label, css, _anchor(x(day), chart.right)))
    return chart


def _date_ticks(start: date, end: date, count: int = 6) -> list[date]:
    days = (end - start).days
    if days <= 0:
        return [start]
    step = max(1, round(days / (count - 1)))
    ticks = [date.fromordinal(start.toordinal() + i) for i in range(0, days + 1, step)]
    if ticks[-1] != end:
        if (end - ticks[-1]).days < step * 0.6 and len(ticks) > 1:
            ticks[-1] = end  # two labels that close would overlap: the end wins
        else:
            ticks.append(end)
    return ticks


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    points: str
    last: tuple[float, float] | None
    target_y: float | None


def sparkline(
    values: Sequence[float | None],
    *,
    target: float | None = None,
    width: int = 120,
    height: int = 28,
) -> Sparkline:
    """A small line without axes (beside a figure that states the value in words)."""
    known = [v for v in values if v is not None]
    if target is not None:
        known.append(target)
    if not known:
        return Sparkline(width, height, "", None, None)
    low, high = min(known), max(known)
    if high == low:
        high = low + (abs(low) or 1.0)
    pad = 3.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return round(height - pad - (height - 2 * pad) * (value - low) / (high - low), 1)

    pts = [(round(pad + i * step, 1), y(v)) for i, v in enumerate(values) if v is not None]
    return Sparkline(
        width,
        height,
        " ".join(f"{px},{py}" for px, py in pts),
        pts[-1] if pts else None,
        y(target) if target is not None else None,
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float
    link: str = ""


@dataclass
class BarChart:
    title: str
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: list[Bar] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float, str]],
    *,
    fmt: Format,
    width: int = 640,
    height: int = 240,
) -> BarChart:
    """Vertical bars (label, value, link) from zero, with a value axis."""
    chart = BarChart(title, width, height, left=64.0, right=width - 16.0, top=16.0,
                     bottom=height - 48.0)  # fmt: skip
    high = max((value for _l, value, _k in bars), default=1.0)
    ticks = nice_ticks(0.0, max(high, 1e-9))
    top = ticks[-1] or 1.0

    def y(value: float) -> float:
        return round(chart.bottom - (chart.bottom - chart.top) * value / top, 1)

    chart.y_ticks = [Tick(y(t), fmt(t)) for t in ticks]
    slot = (chart.right - chart.left) / max(len(bars), 1)
    for index, (label, value, link) in enumerate(bars):
        bar_width = round(slot * 0.7, 1)
        x = round(chart.left + slot * index + (slot - bar_width) / 2, 1)
        chart.bars.append(
            Bar(label, value, fmt(value), x, y(value), bar_width,
                round(chart.bottom - y(value), 1), link)
        )  # fmt: skip
    return chart
