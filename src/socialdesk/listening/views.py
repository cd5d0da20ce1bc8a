"""Listening pages: the monitors with their volumes, and what each one found."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.access import user_may
from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import User
from socialdesk.core.http import AppRequest
from socialdesk.feedback.models import Topic
from socialdesk.feedback.understanding import SENTIMENTS
from socialdesk.inbox.selectors import sees_every_conversation
from socialdesk.listening import services
from socialdesk.listening.forms import MonitorForm
from socialdesk.listening.models import Monitor
from socialdesk.listening.selectors import alerts_for_user, matches_for_user, monitors_with_volumes

DAYS = 14


def _errors(form: MonitorForm, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def overview(request: AppRequest) -> HttpResponse:
    may_edit = user_may(request.user, "listening:monitor_edit")
    form = MonitorForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                monitor = services.monitor_create(
                    by=acting(request),
                    name=form.cleaned_data["name"],
                    query=form.cleaned_data["query"],
                )
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(
                    request,
                    _("The monitor “%(name)s” found %(count)s matches in the last 30 days.")
                    % {"name": monitor.name, "count": monitor.matches.count()},
                )
                return redirect("listening:monitor", monitor.pk)
    monitors = monitors_with_volumes(request.user, timezone.now())
    alerts = alerts_for_user(request.user)[:10]
    return render(
        request,
        "listening/overview.html",
        {
            "monitors": monitors,
            "form": form,
            "alerts": alerts,
            "may_edit": may_edit,
            "sees_everything": sees_every_conversation(request.user),
        },
    )


def _volume(user: User, monitor: Monitor) -> list[tuple[date, int, int]]:
    """Matches per day of the last DAYS days: (date, count, bar height in percent)."""
    today = timezone.localdate()
    since = today - timedelta(days=DAYS - 1)
    counts = dict(
        matches_for_user(user, monitor)
        .filter(created_at__date__gte=since)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days = [since + timedelta(days=i) for i in range(DAYS)]
    top = max([*counts.values(), 1])
    return [(d, counts.get(d, 0), round(100 * counts.get(d, 0) / top)) for d in days]


def monitor(request: AppRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Monitor, pk=pk)
    matches = (
        matches_for_user(request.user, item)
        .select_related(
            "message__channel_account", "message__conversation", "message__classification"
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(matches, 50).get_page(request.GET.get("page"))
    form = MonitorForm(
        initial={"name": item.name, "query": item.query, "is_active": item.is_active}
    )
    return render(
        request,
        "listening/monitor.html",
        {
            "monitor": item,
            "page": page,
            "volume": _volume(request.user, item),
            "form": form,
            "alerts": alerts_for_user(request.user, item)[:5],
            "may_edit": user_may(request.user, "listening:monitor_edit"),
            "sees_everything": sees_every_conversation(request.user),
            "topics": Topic.objects.values_list("name", flat=True),
            "sentiments": SENTIMENTS,
        },
    )


@require_POST
def monitor_edit(request: AppRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Monitor, pk=pk)
    form = MonitorForm(request.POST)
    if form.is_valid():
        try:
            services.monitor_update(
                by=acting(request),
                monitor=item,
                name=form.cleaned_data["name"],
                query=form.cleaned_data["query"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("The monitor is saved."))
            return redirect("listening:monitor", item.pk)
    matches = matches_for_user(request.user, item).order_by("-created_at", "-pk")
    return render(
        request,
        "listening/monitor.html",
        {
            "monitor": item,
            "page": Paginator(matches, 50).get_page(1),
            "volume": _volume(request.user, item),
            "form": form,
            "alerts": alerts_for_user(request.user, item)[:5],
            "may_edit": True,
            "editing": True,
        },
    )


@require_POST
def monitor_delete(request: AppRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Monitor, pk=pk)
    services.monitor_delete(by=acting(request), monitor=item)
    messages.success(request, _("The monitor “%(name)s” is deleted.") % {"name": item.name})
    return redirect("listening:overview")
