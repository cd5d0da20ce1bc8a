"""Sites (Standorte): where people and departments work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts import selectors, site_services
from socialdesk.accounts.audit import acting
from socialdesk.accounts.forms import SiteForm
from socialdesk.core.forms import error_text
from socialdesk.core.http import AppRequest


def sites(request: AppRequest) -> HttpResponse:
    return render(request, "accounts/sites.html", {"sites": selectors.site_list()})


def _add_errors(form: SiteForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_http_methods(["GET", "POST"])
def site_new(request: AppRequest) -> HttpResponse:
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = site_services.site_create(by=acting(request), **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The site “%(name)s” has been created.") % {"name": site})
            return redirect("accounts:sites")
    return render(request, "accounts/site_form.html", {"form": form, "site": None})


@require_http_methods(["GET", "POST"])
def site_edit(request: AppRequest, pk: int) -> HttpResponse:
    site = selectors.site_for_user(request.user, pk)
    form = SiteForm(request.POST or None, initial={"name": site.name, "time_zone": site.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            site_services.site_update(by=acting(request), site=site, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The site has been saved."))
            return redirect("accounts:sites")
    return render(request, "accounts/site_form.html", {"form": form, "site": site})


@require_POST
def site_delete(request: AppRequest, pk: int) -> HttpResponse:
    site = selectors.site_for_user(request.user, pk)
    name = site.name
    try:
        site_services.site_delete(by=acting(request), site=site)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The site “%(name)s” has been deleted.") % {"name": name})
    return redirect("accounts:sites")
