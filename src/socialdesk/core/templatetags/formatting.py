"""Template filters for values as people read them (see `core.formatting`)."""

from __future__ import annotations

from typing import Any

from django import template

from socialdesk.core import formatting

register = template.Library()


@register.filter
def state_name(code: str) -> str:
    """A federal state's name for its code: {{ "BB"|state_name }} -> Brandenburg."""
    return formatting.german_state_name(code)


@register.filter
def opening_hours(weekly: dict[str, Any] | None) -> str:
    """A week of opening hours: "Mo–Fr 08:00–18:00"."""
    return formatting.opening_hours(weekly)


@register.filter
def week(value: Any) -> str:
    """A calendar week: "KW 48" / "week 48"."""
    return formatting.week_label(value) if value else "–"


@register.filter
def percent(value: Any) -> str:
    """A share (0.5) as a percentage: "50 %" / "50%"."""
    return formatting.percent(None if value is None else float(value))


@register.filter
def label_value(value: Any) -> str:
    """A label value (sentiment, relevance) in the reader's language: "positiv"."""
    return formatting.label_value(str(value))
