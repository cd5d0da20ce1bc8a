"""Values as people read them in their language: federal states, opening hours, weeks, shares.

Template filters of the same names are in `core.templatetags.formatting`
(`{% load formatting %}{{ hours|opening_hours }}`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The federal states (and holiday regions) of the `holidays` library, by the names people know.
GERMAN_STATES = {
    "BW": _("Baden-Württemberg"),
    "BY": _("Bavaria"),
    "Augsburg": _("Bavaria: city of Augsburg (with the Augsburg Peace Festival)"),
    "BE": _("Berlin"),
    "BB": _("Brandenburg"),
    "HB": _("Bremen"),
    "HH": _("Hamburg"),
    "HE": _("Hesse"),
    "MV": _("Mecklenburg-Western Pomerania"),
    "NI": _("Lower Saxony"),
    "NW": _("North Rhine-Westphalia"),
    "RP": _("Rhineland-Palatinate"),
    "SL": _("Saarland"),
    "SN": _("Saxony"),
    "ST": _("Saxony-Anhalt"),
    "SH": _("Schleswig-Holstein"),
    "TH": _("Thuringia"),
}


def german_state_name(code: str) -> str:
    """Return the name of a federal state (or holiday region) code: "BB" -> "Brandenburg"."""
    return str(GERMAN_STATES.get(code, code))


def opening_hours(weekly: dict[str, Any] | None) -> str:
    """Return a week of opening hours as people write it: "Mo–Fr 08:00–18:00, Sa 09:00–16:00".

    `weekly` maps weekday numbers ("0" is Monday) to lists of [start, end] blocks; days with
    the same blocks that follow each other are written as one range.
    """
    days: list[tuple[int, str]] = []
    for day in range(7):
        blocks = (weekly or {}).get(str(day)) or []
        if blocks:
            days.append((day, ", ".join(f"{start}–{end}" for start, end in blocks)))
    if not days:
        return gettext("closed all week")
    runs: list[tuple[int, int, str]] = []
    for day, hours in days:
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], day, hours)
        else:
            runs.append((day, day, hours))

    def name(day: int) -> str:
        return str(WEEKDAYS_ABBR[day])

    return "; ".join(
        f"{name(first)}–{name(last)} {hours}" if last > first else f"{name(first)} {hours}"
        for first, last, hours in runs
    )


def week_label(value: date | datetime | str) -> str:
    """Return a calendar week as people name it: "KW 48" in German, "week 48" in English.

    Accepts a date or an ISO week such as "2026-W48"; the year is added when it is not this one.
    """
    if isinstance(value, str):
        year, week = value.split("-W")
        number, iso_year = int(week), int(year)
    else:
        iso_year, number, _weekday = value.isocalendar()
    if iso_year == date.today().isocalendar()[0]:
        return gettext("week %(number)s") % {"number": number}
    return gettext("week %(number)s %(year)s") % {"number": number, "year": iso_year}


def percent(value: float | None, *, digits: int = 0) -> str:
    """Return a share (0.5) as a percentage in the locale: "50 %" (German), "50%" (English)."""
    if value is None:
        return "–"
    number = number_format(round(value * 100, digits), digits)
    return gettext("%(number)s%%") % {"number": number}


# Values of the labels people give messages (and the models learn), by their names.
LABEL_VALUES = {
    "positive": _("positive"),
    "negative": _("negative"),
    "neutral": _("neutral"),
    "unknown": _("unknown"),
    "true": _("about us"),
    "false": _("noise"),
    # the tasks people label
    "relevance": _("Relevance"),
    "sentiment": _("Sentiment"),
    "topics": _("Topic"),
}


def label_value(value: str) -> str:
    """Return a label value as people read it ("positive" -> "positiv"); topics stay as named."""
    return str(LABEL_VALUES.get(value, value))
