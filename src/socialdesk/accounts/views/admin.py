"""Administration: organisation settings and the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from socialdesk.accounts import selectors, services
from socialdesk.accounts.audit import acting
from socialdesk.accounts.forms import AuditFilterForm, OrganisationForm
from socialdesk.accounts.models import Organisation
from socialdesk.core.forms import error_text
from socialdesk.core.http import AppRequest

AUDIT_PAGE_SIZE = 50


@require_http_methods(["GET", "POST"])
def organisation(request: AppRequest) -> HttpResponse:
    current = Organisation.current()
    form = OrganisationForm(
        request.POST or None,
        initial={
            "name": current.name,
            "time_zone": current.time_zone,
            "default_language": current.default_language,
            "two_factor_roles": current.two_factor_roles,
            "retention_months": current.retention_months,
            "greeting_form": current.greeting_form,
            "greet_by_first_name": current.greet_by_first_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(by=acting(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The settings have been saved."))
            return redirect("accounts:organisation")
    return render(request, "accounts/organisation.html", {"form": form})


def audit_log(request: AppRequest) -> HttpResponse:
    """Browse and filter the append-only audit log."""
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_events(
        actor=filters.get("actor", ""),
        action=filters.get("action", ""),
        since=filters.get("since"),
        until=filters.get("until"),
    ).select_related("actor")
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    template = "accounts/audit_log.html#rows" if request.htmx else "accounts/audit_log.html"
    return render(request, template, context)
