"""The dashboards: the manager's overview, one per department, one per channel account.

Each reads the period from the query string (`dashboard_period`), the figures and lists from
`dashboard_data`; nothing is written."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from socialdesk.channels.models import ChannelAccount
from socialdesk.core.http import AppRequest
from socialdesk.goals import dashboard_data as data
from socialdesk.goals.dashboard_period import PeriodForm, choose


def _page(request: AppRequest, focus: data.Focus, **extra: Any) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    choice = choose(form)
    user = request.user
    goals = data.goal_rows(data.goals_of(user, focus))
    figures = data.key_figures(user, choice, focus)
    context = {
        "form": form,
        "choice": choice,
        "focus": focus,
        "figures": figures,
        "goals": goals,
        "attention": data.attention(user, focus, goals),
        "departments": data.departments_for(user),
        "accounts": data.accounts_for(user),
        "has_channels": ChannelAccount.objects.exists(),
        **extra,
    }
    return render(request, "goals/dashboards/dashboard.html", context)


def overview(request: AppRequest) -> HttpResponse:
    return _page(request, data.Focus())


def department(request: AppRequest, pk: int) -> HttpResponse:
    found = data.department_for(request.user, pk)
    focus = data.Focus("department", department=found)
    form = PeriodForm(request.GET or None)
    return _page(request, focus, charts=data.series_charts(request.user, choose(form), focus))


def channel(request: AppRequest, pk: int) -> HttpResponse:
    found = data.account_for(request.user, pk)
    focus = data.Focus("account", account=found)
    form = PeriodForm(request.GET or None)
    return _page(request, focus, charts=data.series_charts(request.user, choose(form), focus))
