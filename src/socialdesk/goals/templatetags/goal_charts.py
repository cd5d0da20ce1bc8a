"""`{% load goal_charts %}`: draw the charts of `goals.charts` (SVG with axes, a table beside)."""

from __future__ import annotations

from typing import Any

from django import template

from socialdesk.goals.charts import BarChart, LineChart, Sparkline

register = template.Library()


@register.inclusion_tag("goals/charts/line.html")
def line_chart(chart: LineChart, id: str = "chart") -> dict[str, Any]:
    return {"chart": chart, "id": id}


@register.inclusion_tag("goals/charts/bar.html")
def bar_chart(chart: BarChart, id: str = "bars") -> dict[str, Any]:
    return {"chart": chart, "id": id}


@register.inclusion_tag("goals/charts/sparkline.html")
def sparkline_svg(spark: Sparkline, label: str = "") -> dict[str, Any]:
    return {"spark": spark, "label": label}
