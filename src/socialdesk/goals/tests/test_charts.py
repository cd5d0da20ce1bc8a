"""The SVG charts: axes with readable ticks in the reader's language, lines where the values
are, gaps where nothing was measured, and the target and today where they belong."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string
from django.utils import translation

from socialdesk.goals import charts
from socialdesk.goals.kpis import Unit, format_value


def pct(value: float) -> str:
    return format_value(Unit.SHARE, value)


def test_ticks_are_round_and_cover_the_values() -> None:
    assert charts.nice_ticks(0, 1) == [0, 0.25, 0.5, 0.75, 1.0]
    assert charts.nice_ticks(0, 8040) == [0, 2500, 5000, 7500, 10000]
    ticks = charts.nice_ticks(3.2, 3.3)
    assert ticks[0] <= 3.2 and ticks[-1] >= 3.3


def test_a_line_chart_puts_values_target_and_today_where_they_belong() -> None:
    with translation.override("de"):
        chart = charts.line_chart(
            "Anteil",
            [("Wert", [(date(2026, 11, 2), 0.5), (date(2026, 11, 9), None),
                       (date(2026, 11, 16), 1.0)], "series")],
            fmt=pct,
            start=date(2026, 11, 2),
            end=date(2026, 11, 30),
            target=(0.75, "Zielwert 75,0 %"),
            markers=[(date(2026, 11, 16), "heute", "today")],
        )  # fmt: skip
        html = render_to_string("goals/charts/line.html", {"chart": chart, "id": "c"})
    line = chart.lines[0]
    assert len(line.segments) == 2  # the week without a value is a gap, not a zero
    (x0, y0), (x1, y1) = (map(float, s.split(",")) for s in line.segments)
    height = chart.bottom - chart.top  # ticks 0 … 100 %: 50 % is half-way up
    assert (x0, y0) == (chart.left, chart.bottom - height / 2)
    assert (x1, y1) == (chart.left + (chart.right - chart.left) / 2, chart.top)
    assert chart.rules_h[0].pos == chart.bottom - height * 0.75
    assert chart.rules_v[0].pos == x1  # today, 16 November, half-way through the month
    assert "02.11.26" in html or "02.11.2026" in html
    assert "100,0\u00a0%" in html and "Zielwert 75,0 %" in html


def test_a_sparkline_without_values_draws_nothing() -> None:
    assert charts.sparkline([None, None]).points == ""
    spark = charts.sparkline([1.0, 2.0, 3.0], width=100, height=20)
    assert spark.points.split()[0].endswith(",17.0") and spark.last == (97.0, 3.0)


def test_an_axis_of_counts_has_whole_ticks_only() -> None:
    assert charts.nice_ticks(0, 1, whole=True) == [0, 1]
    assert charts.nice_ticks(0, 3, whole=True) == [0, 1, 2, 3]
    assert charts.nice_ticks(0, 40, whole=True) == [0, 10, 20, 30, 40]
    day = date(2026, 11, 1)
    chart = charts.line_chart(
        "Nachrichten", [("Nachrichten", [(day, 0.0), (date(2026, 11, 2), 1.0)], "series")],
        fmt=lambda v: str(int(v)), start=day, end=date(2026, 11, 2), whole=True,
    )  # fmt: skip
    assert [t.label for t in chart.y_ticks] == ["0", "1"]
