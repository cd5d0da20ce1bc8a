"""Durations as people read them: "2 Std. 14 Min." in German, "2 h 14 min" in English.

At most two units, the larger first; the smaller unit is rounded (a duration under a minute in
seconds, under a day in hours and minutes, longer in days and hours). Numbers follow the
active locale ("1.234 Tg."), units are translated in the catalogue.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.formats import number_format
from django.utils.translation import gettext

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def _unit(amount: int, unit: str) -> str:
    number = number_format(amount, force_grouping=True)
    labels = {
        "d": gettext("%(count)s d"),
        "h": gettext("%(count)s h"),
        "min": gettext("%(count)s min"),
        "s": gettext("%(count)s s"),
    }
    return (labels[unit] % {"count": number}).replace(" ", "\u00a0")  # never broken apart


def human_duration(value: float | int | timedelta | None) -> str:
    """Return a duration for people; "–" for none. Negative durations read as their size."""
    if value is None:
        return "–"
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    seconds = abs(seconds)
    if seconds < MINUTE:
        return _unit(round(seconds), "s")
    if seconds < DAY:
        minutes = round(seconds / MINUTE)
        hours, minutes = divmod(minutes, 60)
        if hours == 24:  # 23 h 59.6 min rounds up to a day
            return _unit(1, "d")
        parts = ([_unit(hours, "h")] if hours else []) + (
            [_unit(minutes, "min")] if minutes else []
        )
        return " ".join(parts)
    hours_total = round(seconds / HOUR)
    days, hours = divmod(hours_total, 24)
    return " ".join([_unit(days, "d")] + ([_unit(hours, "h")] if hours else []))
