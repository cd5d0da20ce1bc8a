"""The date range and comparison period of every dashboard, read from the query string.

A preset (this week, last 7 days, last 4 weeks, this month, last month, last quarter) or a
custom range of days, and a comparison: the previous period of the same length or the same
days a year earlier. Everything is in the URL (`?range=last_month&compare=year`), so a view can
be bookmarked and shared; the days are those of the organisation's time zone. The chosen period
is told in words ("1.–30.11.2026, verglichen mit 2.–31.10.2026").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Organisation
from socialdesk.goals.kpis import Period

MAX_DAYS = 731  # two years (one of them a leap year)
PRESETS = [
    ("this_week", _("This week")),
    ("last_7_days", _("Last 7 days")),
    ("last_4_weeks", _("Last 4 weeks")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("last_quarter", _("Last quarter")),
    ("custom", _("Custom")),
]
COMPARISONS = [
    ("previous", _("Previous period of the same length")),
    ("year", _("Same period last year")),
]
KPI_PAGE_WEEKS = 4
DEFAULT_PRESET = "last_7_days"  # on a Monday, "this week" would be one day
DAY = forms.DateInput({"type": "date"}, format="%Y-%m-%d")


def today() -> date:
    return timezone.now().astimezone(ZoneInfo(Organisation.current().time_zone)).date()


def preset_days(preset: str, day: date) -> tuple[date, date]:
    """The first and last day (both included) of a preset, seen on `day`."""
    if preset == "last_7_days":
        return day - timedelta(days=6), day
    if preset == "last_4_weeks":
        return day - timedelta(days=27), day
    if preset == "this_month":
        return day.replace(day=1), day
    if preset == "last_month":
        last = day.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if preset == "last_quarter":
        first_of_this = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        last = first_of_this - timedelta(days=1)
        return date(last.year, last.month - 2, 1), last
    return day - timedelta(days=day.weekday()), day  # this week, from Monday


def kpi_page_period() -> Period:
    """The KPI page's period: the four weeks up to yesterday (compared with the four before)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return Period.of_days(yesterday - timedelta(weeks=KPI_PAGE_WEEKS, days=-1), yesterday)


def preset_choice(preset: str) -> Choice:
    """A preset compared with the period before, as a dashboard opened with it shows it."""
    return choose(PeriodForm({"range": preset}))


def year_earlier(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


class PeriodForm(forms.Form):
    range = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d")
    )
    compare = forms.ChoiceField(label=_("Compare with"), choices=COMPARISONS, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("range") != "custom":
            return data
        since, until, now = data.get("since"), data.get("until"), today()
        for name in ("since", "until"):
            if name in data and data[name] is None and name not in self.errors:
                self.add_error(name, gettext("Give a date for a custom period."))
        if isinstance(since, date) and since > now:
            self.add_error("since", gettext("This date lies in the future."))
        if isinstance(until, date) and until > now:
            self.add_error("until", gettext("This date lies in the future."))
        if isinstance(since, date) and isinstance(until, date):
            if until < since:
                self.add_error("until", gettext("The end lies before the start."))
            elif (until - since).days + 1 > MAX_DAYS:
                self.add_error("until", gettext("A period can be at most two years long."))
        return data


@dataclass(frozen=True)
class Choice:
    """The period the dashboard shows, the one it compares with, and how to say both."""

    preset: str
    compare: str
    period: Period
    comparison: Period

    @property
    def since(self) -> date:
        return self.period.start

    @property
    def until(self) -> date:
        return self.period.last_day

    def query(self) -> str:
        """The query string that opens the same choice (for links between dashboards)."""
        params = {"range": self.preset, "compare": self.compare}
        if self.preset == "custom":
            params |= {"since": self.since.isoformat(), "until": self.until.isoformat()}
        return urlencode(params)

    def words(self) -> str:
        return gettext("%(period)s, compared with %(comparison)s") % {
            "period": days_in_words(self.period.start, self.period.last_day),
            "comparison": days_in_words(self.comparison.start, self.comparison.last_day),
        }

    def period_words(self) -> str:
        return days_in_words(self.period.start, self.period.last_day)

    def comparison_words(self) -> str:
        return days_in_words(self.comparison.start, self.comparison.last_day)


def choose(form: PeriodForm) -> Choice:
    """The choice of a valid form; the default (the last 7 days) where the form has errors."""
    data = form.cleaned_data if form.is_valid() else {}
    preset = str(data.get("range") or DEFAULT_PRESET)
    compare = str(data.get("compare") or "previous")
    if preset == "custom":
        since, until = data["since"], data["until"]
    else:
        since, until = preset_days(preset, today())
    period = Period.of_days(since, until)
    if compare == "year":
        comparison = Period.of_days(year_earlier(since), year_earlier(until))
    else:
        comparison = period.previous()
    return Choice(preset, compare, period, comparison)


def days_in_words(first: date, last: date) -> str:
    """ "1.–30.11.2026" in German, "1–30 Nov 2026" in English; one day as "30.11.2026"."""
    german = (get_language() or "en").startswith("de")
    if first == last:
        return f"{first.day}.{first.month}.{first.year}" if german else _english(first, True)
    if german:
        if (first.year, first.month) == (last.year, last.month):
            head = f"{first.day}."
        elif first.year == last.year:
            head = f"{first.day}.{first.month}."
        else:
            head = f"{first.day}.{first.month}.{first.year}"
        return f"{head}\u2013{last.day}.{last.month}.{last.year}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}\u2013{_english(last, True)}"
    return f"{_english(first, first.year != last.year)} \u2013 {_english(last, True)}"


def _english(day: date, year: bool) -> str:
    moment = datetime(day.year, day.month, day.day)
    return f"{day.day} {date_format(moment, 'M')}" + (f" {day.year}" if year else "")
