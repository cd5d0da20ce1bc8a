"""The goals pages: the list, one goal with its chart, figures and method, the form to set or
change a goal (from a template or a KPI), archiving and "Evaluate now"."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.core.forms import FlagField
from socialdesk.core.http import AppRequest
from socialdesk.goals import goal_pages, goal_services, goal_templates, kpis
from socialdesk.goals.goal_forms import GoalForm, default_comparison, initial_for
from socialdesk.goals.goal_measure import is_total
from socialdesk.goals.goal_models import Goal
from socialdesk.goals.goal_selectors import goal_for_user, goals_for_user
from socialdesk.goals.kpis import Kpi, KpiError


def goal_list(request: AppRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    goals = list(goals_for_user(request.user, archived=archived))
    return render(
        request,
        "goals/goals/list.html",
        {
            "archived": archived,
            "groups": [] if archived else goal_pages.grouped(goals),
            "rows": [goal_pages.row(g) for g in goals] if archived else [],
            "count": len(goals),
            "templates": goal_templates.TEMPLATES[:3],
        },
    )


def goal_detail(request: AppRequest, pk: int) -> HttpResponse:
    goal = goal_for_user(request.user, pk)
    kpi = goal_pages.kpi_or_none(goal)
    context: dict[str, Any] = {
        "goal": goal,
        "kpi": kpi,
        "row": goal_pages.row(goal),
        "history": goal_pages.history(goal, kpi),
        "scope": goal_pages.scope_rows(goal),
    }
    if kpi is not None:
        context["chart"] = goal_pages.chart(goal, kpi)
        context["figures"] = goal_pages.figures(goal, kpi)
        context["method"] = goal_pages.method(kpi, goal)
        context["total"] = is_total(kpi)
    return render(request, "goals/goals/detail.html", context)


def _available(name: str) -> Kpi | None:
    try:
        found = kpis.get(name)
    except KpiError:
        return None
    return found if found.available else None


def _chooser(request: AppRequest) -> HttpResponse:
    families: dict[str, list[Kpi]] = {}
    for kpi in kpis.available():
        families.setdefault(kpi.family, []).append(kpi)
    labels = {"responses": _("Responses"), "inbox": _("Inbox"), "feedback": _("Feedback"),
              "publishing": _("Publishing"), "listening": _("Listening")}  # fmt: skip
    return render(
        request,
        "goals/goals/new.html",
        {
            "templates": [
                (t, _available(t.kpi)) for t in goal_templates.TEMPLATES if _available(t.kpi)
            ],
            "families": [(labels.get(f, f), items) for f, items in families.items()],
        },
    )


@require_http_methods(["GET", "POST"])
def goal_new(request: AppRequest) -> HttpResponse:
    """Without a KPI the choice (templates and KPIs); with `?template=` or `?kpi=` the form."""
    source = request.POST if request.method == "POST" else request.GET
    template = goal_templates.get(str(source.get("template", "")))
    kpi = _available(template.kpi if template else str(source.get("kpi", "")))
    if kpi is None:
        return _chooser(request)
    today = timezone.localdate()
    if template is not None:
        values = goal_templates.prefill(template, today=today)
    else:
        values = {"kpi": kpi.name, "comparison": default_comparison(kpi), "start": today}
    values["owner"] = request.user
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        kpi=kpi,
        initial=initial_for(kpi, values),
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal = goal_services.goal_create(by=acting(request), **form.service_fields())
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The goal is set; its baseline is computed."))
            return redirect("goals:goal", goal.pk)
    return render(
        request,
        "goals/goals/form.html",
        {"form": form, "kpi": kpi, "template": template, "goal": None},
    )


@require_http_methods(["GET", "POST"])
def goal_edit(request: AppRequest, pk: int) -> HttpResponse:
    goal = goal_for_user(request.user, pk)
    source = request.POST if request.method == "POST" else request.GET
    kpi = _available(str(source.get("kpi", "")) or goal.kpi)
    if kpi is None:
        raise Http404
    values: dict[str, Any] = {
        field: getattr(goal, field)
        for field in ("name", "params", "target", "comparison", "start", "deadline",
                      "accounts", "tags", "business_hours", "owner", "objective")
    }  # fmt: skip
    values["departments"] = list(goal.departments.all())
    if kpi.name != goal.kpi:
        values.update(params={}, comparison=default_comparison(kpi), target=None)
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        kpi=kpi,
        initial=initial_for(kpi, values),
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        departments = fields.pop("departments")
        try:
            goal_services.goal_update(
                by=acting(request), goal=goal, departments=departments, **fields
            )
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The goal is saved; its figures are computed again."))
            return redirect("goals:goal", goal.pk)
    return render(
        request,
        "goals/goals/form.html",
        {
            "form": form,
            "kpi": kpi,
            "template": None,
            "goal": goal,
            "other_kpis": [k for k in kpis.available() if k.name != kpi.name],
        },
    )


@require_POST
def goal_archive(request: AppRequest, pk: int) -> HttpResponse:
    goal = goal_for_user(request.user, pk)
    back = FlagField(on="back").clean(request.POST.get("action"))
    goal_services.goal_archive(by=acting(request), goal=goal, archived=not back)
    if back:
        messages.success(request, _("The goal “%(name)s” is back.") % {"name": goal.name})
    else:
        messages.success(request, _("The goal “%(name)s” is archived.") % {"name": goal.name})
    return redirect("goals:goal", goal.pk)


@require_POST
def goal_evaluate(request: AppRequest, pk: int) -> HttpResponse:
    goal: Goal = goal_for_user(request.user, pk)
    goal_services.evaluate(goal)
    messages.success(request, _("The figures are computed again."))
    return redirect("goals:goal", goal.pk)
