"""The KPI registry as a page: every figure with its description, parameters and its value over
the last four weeks against the four weeks before, for what the reader may see."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from socialdesk.core.http import AppRequest
from socialdesk.goals import kpis
from socialdesk.goals.dashboard_period import kpi_page_period
from socialdesk.goals.kpis import Kpi, KpiError, Period, Scope, Unit
from socialdesk.inbox.selectors import sees_every_conversation


def _unit(unit: Unit) -> str:
    labels = {
        Unit.SHARE: _("share (%)"),
        Unit.DURATION: _("duration"),
        Unit.COUNT: _("count"),
        Unit.NUMBER: _("number"),
    }
    return labels[unit]


def _row(kpi: Kpi, period: Period, scope: Scope) -> dict[str, Any]:
    row: dict[str, Any] = {"kpi": kpi, "unit": _unit(kpi.unit), "error": ""}
    try:
        change = kpi.change(period, scope=scope)
    except KpiError as error:  # e.g. a parameter's default that names nothing here
        row["error"] = str(error)
        return row
    row.update(
        value=kpi.format(change.value),
        previous=kpi.format(change.previous),
        delta=kpi.format_delta(change.delta),
        trend=""
        if change.delta is None or kpi.shown_as_zero(change.delta)
        else ("up" if change.delta > 0 else "down"),
    )
    return row


def kpi_list(request: AppRequest) -> HttpResponse:
    period = kpi_page_period()
    scope = Scope(user=request.user)
    # Every figure of one moment, shared computations done once, both periods together.
    with kpis.one_moment(periods=(period, period.previous())):
        rows = [_row(k, period, scope) for k in kpis.available()]
    return render(
        request,
        "goals/kpis/list.html",
        {
            "rows": rows,
            "unavailable": [k for k in kpis.all_kpis() if not k.available],
            "period": period,
            "previous": period.previous(),
            "sees_everything": sees_every_conversation(request.user),
        },
    )
