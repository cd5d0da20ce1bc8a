"""Settings pages for business hours and SLA policies."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting, record
from socialdesk.core.http import AppRequest
from socialdesk.inbox.models import Conversation, Status
from socialdesk.sla.forms import BusinessHoursForm, SlaPolicyForm
from socialdesk.sla.models import BusinessHours, SlaPolicy
from socialdesk.sla.services import refresh_sla


def _apply_to_open_conversations() -> None:
    """Re-evaluate open conversations after a policy change, in the background."""
    from socialdesk.sla.tasks import check_slas

    ids = list(
        Conversation.objects.filter(status__in=[Status.OPEN, Status.WAITING], needs_reply=True)
        .order_by("-last_message_at")
        .values_list("pk", flat=True)[:2000]
    )
    refresh_sla(ids)
    transaction.on_commit(lambda: check_slas.enqueue())


def overview(request: AppRequest) -> HttpResponse:
    return render(
        request,
        "sla/overview.html",
        {
            "policies": SlaPolicy.objects.select_related("business_hours"),
            "calendars": BusinessHours.objects.all(),
        },
    )


def _get(
    model: type[SlaPolicy] | type[BusinessHours], pk: int | None
) -> SlaPolicy | BusinessHours | None:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
def hours_edit(request: AppRequest, pk: int | None = None) -> HttpResponse:
    instance = _get(BusinessHours, pk)
    form = BusinessHoursForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            hours = form.save()
            record(
                acting(request),
                "settings.business_hours_saved",
                hours,
                after={
                    "hours": hours.weekly_hours,
                    "state": hours.german_state,
                    "closed": hours.closed_days,
                },
            )
            _apply_to_open_conversations()
        messages.success(request, _("The business hours have been saved."))
        return redirect("sla:overview")
    return render(request, "sla/form.html", {"form": form, "title": _("Business hours")})


@require_http_methods(["GET", "POST"])
def policy_edit(request: AppRequest, pk: int | None = None) -> HttpResponse:
    instance = _get(SlaPolicy, pk)
    form = SlaPolicyForm(request.POST or None, instance=instance)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            policy = form.save()
            record(
                acting(request),
                "settings.sla_policy_saved",
                policy,
                after={
                    "first_response_minutes": policy.first_response_minutes,
                    "next_response_minutes": policy.next_response_minutes,
                    "resolution_minutes": policy.resolution_minutes,
                    "active": policy.is_active,
                },
            )
            _apply_to_open_conversations()
        messages.success(request, _("The SLA policy has been saved."))
        return redirect("sla:overview")
    return render(request, "sla/form.html", {"form": form, "title": _("SLA policy")})


@require_POST
def policy_delete(request: AppRequest, pk: int) -> HttpResponse:
    policy = _get(SlaPolicy, pk)
    assert policy is not None
    with transaction.atomic():
        record(acting(request), "settings.sla_policy_deleted", policy, before={"name": policy.name})
        policy.delete()
        _apply_to_open_conversations()
    messages.success(request, _("The SLA policy has been deleted."))
    return redirect("sla:overview")
