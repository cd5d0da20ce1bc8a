"""The chart of a post's figures over time: an SVG drawn from numbers, with axes, the ages
labelled and every number in the reader's locale (1.234 in German, 1,234 in English)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from socialdesk.publishing.metrics import AGES, FIGURES

WIDTH, HEIGHT = 520, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 36, 16, 36
COLOURS = {"likes": "#dc2626", "reposts": "#2563eb", "replies": "#16a34a", "quotes": "#9333ea"}


def age_label(age: str) -> str:
    return {
        "1h": _("1 h"),
        "6h": _("6 h"),
        "24h": _("24 h"),
        "72h": _("72 h"),
        "7d": _("7 days"),
    }[age]


def figure_label(name: str) -> str:
    return {
        "likes": _("Likes"),
        "reposts": _("Reposts"),
        "replies": _("Replies"),
        "quotes": _("Quotes"),
    }[name]


def number(value: int) -> str:
    return number_format(value, force_grouping=True)


def nice_top(value: int) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ at least `value` (the top of the y axis)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step >= value:
                return factor * step
        step *= 10


def tick_step(top: int) -> int:
    """Between the ticks of the y axis: five steps for 5 × 10ⁿ and 10ⁿ, two for 2 × 10ⁿ."""
    if top >= 5 and top % 5 == 0:
        return top // 5
    return max(1, top // 2)


@dataclass
class Line:
    name: str
    label: str
    colour: str
    points: str  # "x,y x,y …" for <polyline>
    dots: list[tuple[float, float, str]]  # x, y, the number shown on hover


@dataclass
class Chart:
    width: int
    height: int
    left: int
    bottom_y: int
    right_x: int
    top_y: int
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    lines: list[Line]


def chart(totals: dict[str, dict[str, int] | None]) -> Chart | None:
    """The chart of the summed figures at each age (None when nothing was read yet)."""
    if not any(totals.values()):
        return None
    top = nice_top(max(1, *(v[n] for v in totals.values() if v for n in FIGURES)))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    xs = {age: LEFT + plot_w * i / (len(AGES) - 1) for i, (age, _o) in enumerate(AGES)}

    def y(value: int) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    lines = []
    for name in FIGURES:
        dots = [
            (round(xs[age], 1), y(values[name]), number(values[name]))
            for age, values in totals.items()
            if values is not None
        ]
        points = " ".join(f"{x},{yy}" for x, yy, _n in dots)
        lines.append(Line(name, figure_label(name), COLOURS[name], points, dots))
    return Chart(
        width=WIDTH, height=HEIGHT, left=LEFT, bottom_y=HEIGHT - BOTTOM, right_x=WIDTH - RIGHT,
        top_y=TOP,
        x_ticks=[(round(xs[age], 1), age_label(age)) for age, _o in AGES],
        y_ticks=[(y(v), number(v)) for v in range(0, top + 1, tick_step(top))],
        lines=lines,
    )  # fmt: skip
