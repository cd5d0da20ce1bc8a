"""Listening KPI: matches per monitor."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socialdesk.goals.kpis.registry import Kpi, KpiError, Param, Query, Unit, register
from socialdesk.listening.models import Monitor, MonitorMatch
from socialdesk.listening.selectors import matches_for_user

FAMILY = "listening"


def _monitor(text: str) -> Monitor | None:
    if not text:
        return None
    found = Monitor.objects.filter(name=text).first()
    if found is None and text.isascii() and text.isdigit():
        found = Monitor.objects.filter(pk=int(text)).first()
    if found is None:
        names = ", ".join(Monitor.objects.values_list("name", flat=True)) or "none yet"
        raise KpiError(f"monitor: no monitor {text!r} (there are: {names})")
    return found


def _matches(query: Query) -> float | None:
    monitor = _monitor(query.params["monitor"])
    user = query.scope.user
    if user is None:
        rows = MonitorMatch.objects.all()
        if monitor is not None:
            rows = rows.filter(monitor=monitor)
    else:
        rows = matches_for_user(user, monitor)
    return float(rows.filter(created_at__gte=query.start, created_at__lt=query.end).count())


register(
    Kpi(
        name="listening_matches",
        label=_("Listening matches"),
        description=_("Messages a listening monitor matched in the period (all monitors, or one)."),
        unit=Unit.COUNT,
        params=(Param("monitor", "text", "", _("name or number of a monitor; empty: all")),),
        family=FAMILY,
        compute=_matches,
    )
)
