"""The departments that touch the community, and who belongs to them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts import selectors, services, site_services
from socialdesk.accounts.audit import acting
from socialdesk.accounts.forms import DepartmentForm
from socialdesk.accounts.models import User
from socialdesk.core.http import AppRequest


def department_list(request: AppRequest) -> HttpResponse:
    return render(
        request, "accounts/department_list.html", {"departments": selectors.department_list()}
    )


def department_detail(request: AppRequest, pk: int) -> HttpResponse:
    department = selectors.department_for_user(request.user, pk)
    people = User.objects.filter(memberships__department=department).order_by(
        "-is_active", "full_name"
    )
    return render(
        request, "accounts/department_detail.html", {"department": department, "people": people}
    )


@require_http_methods(["GET", "POST"])
def department_create(request: AppRequest) -> HttpResponse:
    form = DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        site = fields.pop("site")
        try:
            department = services.department_create(by=acting(request), **fields)
            site_services.department_set_site(by=acting(request), department=department, site=site)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The department “%(name)s” has been created.") % {"name": department.name},
            )
            return redirect("accounts:department_detail", pk=department.pk)
    return render(request, "accounts/department_form.html", {"form": form, "department": None})


@require_http_methods(["GET", "POST"])
def department_edit(request: AppRequest, pk: int) -> HttpResponse:
    department = selectors.department_for_user(request.user, pk)
    form = DepartmentForm(
        request.POST or None,
        initial={
            "name": department.name,
            "description": department.description,
            "email": department.email,
            "feedback_answer_hours": department.feedback_answer_hours,
            "issue_tracker_url": department.issue_tracker_url,
            "site": department.site,
        },
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        site = fields.pop("site")
        try:
            services.department_update(by=acting(request), department=department, **fields)
            site_services.department_set_site(by=acting(request), department=department, site=site)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The department has been saved."))
            return redirect("accounts:department_detail", pk=department.pk)
    return render(
        request, "accounts/department_form.html", {"form": form, "department": department}
    )


@require_POST
def department_delete(request: AppRequest, pk: int) -> HttpResponse:
    department = selectors.department_for_user(request.user, pk)
    name = department.name
    services.department_delete(by=acting(request), department=department)
    messages.success(request, _("The department “%(name)s” has been deleted.") % {"name": name})
    return redirect("accounts:department_list")
