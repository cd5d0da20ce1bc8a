"""Guidelines pages: published texts and "I have read it", onboarding, adoption."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.access import user_may
from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import Department
from socialdesk.core.http import AppRequest
from socialdesk.core.params import id_param
from socialdesk.goals import adoption as figures
from socialdesk.goals import guideline_forms as forms
from socialdesk.goals import guideline_selectors as selectors
from socialdesk.goals import guideline_services as services
from socialdesk.goals.guideline_models import Publication
from socialdesk.goals.markdown import render as markdown


def publications(request: AppRequest) -> HttpResponse:
    found = selectors.publications_for_user(request.user)
    current = set(selectors.current_publications().values_list("pk", flat=True))
    confirmed = set(request.user.confirmations.values_list("publication_id", flat=True))
    mine = set(selectors.current_for_user(request.user).values_list("pk", flat=True))
    rows = [
        {"p": p, "current": p.pk in current, "confirmed": p.pk in confirmed, "mine": p.pk in mine}
        for p in found.select_related("published_by").order_by("title", "-version")
    ]
    return render(request, "goals/guidelines/list.html", {"rows": rows})


def publication(request: AppRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(selectors.publications_for_user(request.user), pk=pk)
    user = request.user
    context = {
        "p": found,
        "html": markdown(found.text),
        "current": selectors.is_current(found),
        "newest": selectors.current_publications().filter(title=found.title).first(),
        "in_audience": selectors.in_audience(user, found),
        "confirmation": found.confirmations.filter(person=user).first(),
        "manager": selectors.is_manager(user),
        "departments": found.departments.order_by("name"),
    }
    if context["manager"]:
        context["shares"] = selectors.share_per_department(found)
        context["total"] = selectors.Share(
            found.confirmations.filter(person__in=selectors.audience(found)).count(),
            selectors.audience(found).count(),
        )
        context["confirmations"] = selectors.confirmations(found)
    return render(request, "goals/guidelines/detail.html", context)


@require_POST
def publication_confirm(request: AppRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(selectors.publications_for_user(request.user), pk=pk)
    form = forms.ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.confirm(by=acting(request), publication=found)
            messages.success(request, _("Thank you: you confirmed you have read it."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied:
            messages.error(request, _("This text is not addressed to you."))
    return redirect("goals:publication", pk=found.pk)


@require_http_methods(["GET", "POST"])
def publication_new(request: AppRequest) -> HttpResponse:
    source = None
    based_on = id_param(request.GET.get("from"))
    if based_on is not None:
        source = Publication.objects.filter(pk=based_on).first()
    if request.method == "POST":
        form = forms.PublishForm(request.POST)
        if form.is_valid():
            try:
                published = services.publish(by=acting(request), **form.service_args())
            except ValidationError as error:
                form.show_errors(error)
            else:
                messages.success(
                    request,
                    _("Version %(version)s published; its readers are asked to confirm it.")
                    % {"version": published.version},
                )
                return redirect("goals:publication", pk=published.pk)
    else:
        initial = {}
        if source is not None:
            initial = {
                "title": source.title,
                "text": source.text,
                "audience": "everyone" if source.everyone else "departments",
                "departments": list(source.departments.all()),
            }
        form = forms.PublishForm(initial=initial)
    return render(request, "goals/guidelines/form.html", {"form": form, "source": source})


def onboarding(request: AppRequest) -> HttpResponse:
    items = selectors.checklist(request.user)
    progress = selectors.Progress(request.user, items)
    return render(
        request,
        "goals/guidelines/onboarding.html",
        {
            "items": items,
            "share": progress.share,
            "unread": selectors.current_for_user(request.user).exclude(
                confirmations__person=request.user
            ),
        },
    )


@require_POST
def onboarding_tour(request: AppRequest) -> HttpResponse:
    form = forms.TourForm(request.POST)
    if form.is_valid():
        services.mark_onboarding(
            by=acting(request), item="inbox_tour", done=form.cleaned_data["done"]
        )
    return redirect("goals:onboarding")


def onboarding_people(request: AppRequest) -> HttpResponse:
    department = None
    chosen = id_param(request.GET.get("department"))
    if chosen is not None:
        department = Department.objects.filter(pk=chosen).first()
    return render(
        request,
        "goals/guidelines/onboarding_people.html",
        {
            "rows": selectors.onboarding_progress(department),
            "department": department,
            "departments": Department.objects.order_by("name"),
        },
    )


def adoption_view(request: AppRequest) -> HttpResponse:
    start, end = figures.week_of()
    return render(
        request,
        "goals/guidelines/adoption.html",
        {
            "rows": figures.adoption(),
            "start": start,
            "end": end - timedelta(days=1),
            "may_ideas": user_may(request.user, "publishing:ideas"),
        },
    )


def adoption_department(request: AppRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk)
    start, end = figures.week_of()
    members = figures.members(department)
    active = figures.active_people(department, start, end)
    confirmed = figures.confirmed_people(department)
    return render(
        request,
        "goals/guidelines/adoption_department.html",
        {
            "department": department,
            "start": start,
            "end": end - timedelta(days=1),
            "rows": [
                {"person": p, "active": p in active, "confirmed": p in confirmed} for p in members
            ],
        },
    )
