"""The dashboards: the manager's overview, one per department, one per channel account.

Each reads the period from the query string (`dashboard_period`), the figures and lists from
`dashboard_data`; nothing is written."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from socialdesk.channels.models import ChannelAccount
from socialdesk.core.http import AppRequest
from socialdesk.goals import dashboard_data as data
from socialdesk.goals import kpis
from socialdesk.goals.dashboard_period import PeriodForm, choose


def _page(request: AppRequest, focus: data.Focus, *, series: bool = False) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    choice = choose(form)
    if not form.is_bound or form.is_valid():  # show the days the preset stands for
        days = {"since": choice.since.isoformat(), "until": choice.until.isoformat()}
        form = PeriodForm(initial={"range": choice.preset, "compare": choice.compare, **days})
    user = request.user
    goals = data.goal_rows(data.goals_of(user, focus))
    # The key figures and charts of one moment, each computed once, and only what they show.
    with kpis.one_moment(every=False, periods=(choice.period, choice.comparison)):
        figures = data.key_figures(user, choice, focus)
        charts = data.series_charts(user, choice, focus) if series else []
    context = {
        "form": form,
        "choice": choice,
        "focus": focus,
        "figures": figures,
        "charts": charts,
        "goals": goals,
        "attention": data.attention(user, focus, goals),
        "departments": data.departments_for(user),
        "accounts": data.accounts_for(user),
        "has_channels": ChannelAccount.objects.exists(),
    }
    return render(request, "goals/dashboards/dashboard.html", context)


def overview(request: AppRequest) -> HttpResponse:
    return _page(request, data.Focus())


def department(request: AppRequest, pk: int) -> HttpResponse:
    found = data.department_for(request.user, pk)
    return _page(request, data.Focus("department", department=found), series=True)


def channel(request: AppRequest, pk: int) -> HttpResponse:
    found = data.account_for(request.user, pk)
    return _page(request, data.Focus("account", account=found), series=True)
