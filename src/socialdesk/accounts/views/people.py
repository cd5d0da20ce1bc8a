"""People: the directory, invitations, roles, memberships, deactivation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts import handover, selectors, services, site_services, two_factor
from socialdesk.accounts.audit import acting
from socialdesk.accounts.forms import InviteForm, PersonForm
from socialdesk.accounts.models import Department, Invitation, Role
from socialdesk.accounts.site_models import Site
from socialdesk.core.forms import error_text
from socialdesk.core.http import AppRequest


def people(request: AppRequest) -> HttpResponse:
    """The directory; filters update the table in place with htmx."""
    filters = {
        "query": request.GET.get("q", "").strip(),
        "role": request.GET.get("role", ""),
        "department": request.GET.get("department", ""),
        "active": request.GET.get("active", "yes"),
        "site": request.GET.get("site", ""),
    }
    context = {
        "people": selectors.people_list(**filters),
        "filters": filters,
        "roles": Role.choices,
        "departments": Department.objects.order_by("name"),
        "sites": Site.objects.order_by("name"),
        "invitations": Invitation.objects.prefetch_related("departments").order_by("-created_at")[
            :20
        ]
        if request.user.is_admin
        else [],
    }
    template = "accounts/people.html#rows" if request.htmx else "accounts/people.html"
    return render(request, template, context)


def person_detail(request: AppRequest, pk: int) -> HttpResponse:
    person = selectors.person_for_user(request.user, pk)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "has_two_factor": two_factor.has_device(person),
            # what they still hold: admins decide on deactivation, so only they see it
            "handover": handover.sections_for(person, request.user)
            if request.user.is_admin
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
def person_edit(request: AppRequest, pk: int) -> HttpResponse:
    """Change a person's role and departments."""
    person = selectors.person_for_user(request.user, pk)
    form = PersonForm(
        request.POST or None,
        initial={
            "role": person.role,
            "departments": list(person.departments.all()),
            "site": person.site,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            by = acting(request)
            services.user_change_role(by=by, user=person, role=form.cleaned_data["role"])
            services.user_set_departments(
                by=by, user=person, departments=form.cleaned_data["departments"]
            )
            site_services.user_set_site(by=by, user=person, site=form.cleaned_data["site"])
        except ValidationError as error:
            form.add_error("role" if hasattr(error, "error_dict") else None, error_text(error))
        else:
            messages.success(request, _("%(name)s has been saved.") % {"name": person})
            return redirect("accounts:person_detail", pk=person.pk)
    return render(request, "accounts/person_form.html", {"form": form, "person": person})


@require_POST
def person_deactivate(request: AppRequest, pk: int) -> HttpResponse:
    person = selectors.person_for_user(request.user, pk)
    try:
        services.user_deactivate(by=acting(request), user=person)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("%(name)s can no longer sign in; their sessions have ended.") % {"name": person},
        )
    return redirect("accounts:person_detail", pk=person.pk)


@require_POST
def person_reactivate(request: AppRequest, pk: int) -> HttpResponse:
    person = selectors.person_for_user(request.user, pk)
    services.user_reactivate(by=acting(request), user=person)
    messages.success(request, _("%(name)s can sign in again.") % {"name": person})
    return redirect("accounts:person_detail", pk=person.pk)


@require_POST
def person_reset_two_factor(request: AppRequest, pk: int) -> HttpResponse:
    """Remove a person's second factor, e.g. after they lost their phone."""
    person = selectors.person_for_user(request.user, pk)
    two_factor.disable(by=acting(request), user=person)
    messages.success(
        request, _("Two-factor authentication of %(name)s has been reset.") % {"name": person}
    )
    return redirect("accounts:person_detail", pk=person.pk)


@require_http_methods(["GET", "POST"])
def invite(request: AppRequest) -> HttpResponse:
    form = InviteForm(
        request.POST or None, initial={"departments": request.GET.getlist("department")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.user_invite(by=acting(request), **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s. The link is valid for 7 days.")
                % {"email": invitation.email},
            )
            return redirect("accounts:people")
    return render(request, "accounts/invite.html", {"form": form})


@require_POST
def invitation_revoke(request: AppRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_for_user(request.user, pk)
    services.invitation_revoke(by=acting(request), invitation=invitation)
    messages.success(
        request, _("The invitation to %(email)s has been withdrawn.") % {"email": invitation.email}
    )
    return redirect("accounts:people")


@require_POST
def invitation_resend(request: AppRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_for_user(request.user, pk)
    try:
        services.invitation_resend(by=acting(request), invitation=invitation)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, _("A new invitation has been sent to %(email)s.") % {"email": invitation.email}
        )
    return redirect("accounts:people")
