"""Settings pages for business hours and SLA policies."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.sla import selectors, services
from socialdesk.sla.forms import BusinessHoursForm, SlaPolicyForm


def overview(request: AppRequest) -> HttpResponse:
    return render(
        request,
        "sla/overview.html",
        {
            "policies": selectors.policies_for(request.user),
            "calendars": selectors.calendars_for(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def hours_edit(request: AppRequest, pk: int | None = None) -> HttpResponse:
    instance = None if pk is None else selectors.calendar_for(request.user, pk)
    form = BusinessHoursForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.business_hours_save(by=acting(request), form=form)
        messages.success(request, _("The business hours have been saved."))
        return redirect("sla:overview")
    return render(request, "sla/form.html", {"form": form, "title": _("Business hours")})


@require_http_methods(["GET", "POST"])
def policy_edit(request: AppRequest, pk: int | None = None) -> HttpResponse:
    instance = None if pk is None else selectors.policy_for(request.user, pk)
    form = SlaPolicyForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.policy_save(by=acting(request), form=form)
        messages.success(request, _("The SLA policy has been saved."))
        return redirect("sla:overview")
    return render(request, "sla/form.html", {"form": form, "title": _("SLA policy")})


@require_POST
def policy_delete(request: AppRequest, pk: int) -> HttpResponse:
    policy = selectors.policy_for(request.user, pk)
    services.policy_delete(by=acting(request), policy=policy)
    messages.success(request, _("The SLA policy has been deleted."))
    return redirect("sla:overview")
