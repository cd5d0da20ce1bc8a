"""The goals pages: the list and one goal with its figures."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from socialdesk.core.http import AppRequest
from socialdesk.goals import kpis
from socialdesk.goals.goal_selectors import goal_for_user, goals_for_user


def goal_list(request: AppRequest) -> HttpResponse:
    goals = list(goals_for_user(request.user))
    return render(request, "goals/goals/list.html", {"goals": goals})


def goal_detail(request: AppRequest, pk: int) -> HttpResponse:
    goal = goal_for_user(request.user, pk)
    kpi = kpis.get(goal.kpi)
    return render(request, "goals/goals/detail.html", {"goal": goal, "kpi": kpi})
