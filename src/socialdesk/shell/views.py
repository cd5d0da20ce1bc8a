"""The shell: overview, the areas still to come, settings index, language switch."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import check_for_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from socialdesk.accounts import selectors, services
from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import AuditEvent, Invitation, User
from socialdesk.api import errors as api_errors
from socialdesk.core.http import AppRequest
from socialdesk.shell.overview import overview

# Areas of the product that later work fills in; each page says plainly what will come.
AREAS = {
    "goals": (
        _("Goals"),
        _("Your social media strategy as goals with measurable KPIs and dashboards."),
    ),
    "publishing": (
        _("Publishing"),
        _("An editorial calendar with approvals, and posts that go out exactly once."),
    ),
}


def home(request: AppRequest) -> HttpResponse:
    user = request.user
    context = {
        "departments": selectors.department_list(),
        "people_count": User.objects.filter(is_active=True).count(),
        "my_departments": user.departments.order_by("name"),
        "pending_invitations": Invitation.objects.filter(
            accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
        ).count()
        if user.is_admin
        else 0,
        "recent_events": AuditEvent.objects.select_related("actor")[:5] if user.is_admin else [],
        "areas": [(key, title, text) for key, (title, text) in AREAS.items()],
        "work": overview(user),
    }
    return render(request, "shell/home.html", context)


def area(request: AppRequest, key: str) -> HttpResponse:
    title, text = AREAS[key]
    return render(request, "shell/area.html", {"key": key, "title": title, "text": text})


def settings_index(request: AppRequest) -> HttpResponse:
    return render(request, "shell/settings.html")


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Switch the language; for a signed-in person it is saved with their profile."""
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and check_for_language(language):
        services.user_update_preferences(
            by=acting(request),
            user=user,
            full_name=user.full_name,
            language=language,
            time_zone=user.time_zone,
        )
    return django_set_language(request)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether the app and its database respond (for load balancers and monitors)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "shell/403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if api_errors.is_api(request):  # the API answers in JSON
        return api_errors.not_found(request)
    return render(request, "shell/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "shell/500.html", status=500)
