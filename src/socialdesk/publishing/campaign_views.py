"""Campaign pages: the list with figures per campaign, one campaign, the form to make or change
one (managers and admins)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.publishing import campaign_services as services
from socialdesk.publishing.idea_forms import ArchiveForm, CampaignForm
from socialdesk.publishing.idea_selectors import campaign_figures, status_counts
from socialdesk.publishing.models import Campaign, IdeaStatus, PostStatus
from socialdesk.publishing.selectors import campaigns_for_user, ideas_for_user, posts_for_user


def _campaign(request: AppRequest, pk: int) -> Campaign:
    return get_object_or_404(campaigns_for_user(request.user), pk=pk)


def campaigns(request: AppRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "yes"
    found = campaigns_for_user(request.user).filter(archived_at__isnull=not archived)
    posts, ideas = campaign_figures(request.user)
    rows = [
        {
            "campaign": c,
            "posts": [
                (value, label, posts.get(c.pk, {}).get(value, 0))
                for value, label in PostStatus.choices
                if posts.get(c.pk, {}).get(value)
            ],
            "posts_total": sum(posts.get(c.pk, {}).values()),
            "ideas": ideas.get(c.pk, 0),
        }
        for c in found
    ]
    return render(request, "publishing/campaigns/list.html", {"rows": rows, "archived": archived})


def campaign(request: AppRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk)
    posts = posts_for_user(request.user).filter(campaign=found).order_by("scheduled_at", "pk")
    ideas = ideas_for_user(request.user).filter(campaign=found)
    return render(
        request,
        "publishing/campaigns/detail.html",
        {
            "campaign": found,
            "posts": posts[:200],
            "posts_total": posts.count(),
            "ideas": ideas[:200],
            "idea_counts": _labelled(status_counts(ideas)),
        },
    )


def _labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(value, str(label), counts[value]) for value, label in IdeaStatus.choices]


@require_http_methods(["GET", "POST"])
def campaign_new(request: AppRequest) -> HttpResponse:
    form = CampaignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.campaign_create(by=acting(request), **_fields(form))
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(
                request, _("The campaign “%(name)s” is created.") % {"name": made.name}
            )
            return redirect("publishing:campaign", made.pk)
    return render(request, "publishing/campaigns/form.html", {"form": form, "campaign": None})


def _fields(form: CampaignForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "colour": data["colour"] or "#2563eb",
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "description": data["description"],
        "goal": data["goal"],
    }


@require_http_methods(["GET", "POST"])
def campaign_edit(request: AppRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk)
    initial = {
        "name": found.name,
        "colour": found.colour,
        "starts_on": found.starts_on,
        "ends_on": found.ends_on,
        "description": found.description,
        "goal": found.goal,
    }
    form = CampaignForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(by=acting(request), campaign=found, **_fields(form))
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect("publishing:campaign", found.pk)
    return render(request, "publishing/campaigns/form.html", {"form": form, "campaign": found})


@require_POST
def campaign_archive(request: AppRequest, pk: int) -> HttpResponse:
    found = _campaign(request, pk)
    form = ArchiveForm(request.POST)
    archived = form.is_valid() and form.cleaned_data["archived"]
    services.campaign_archive(by=acting(request), campaign=found, archived=archived)
    if archived:
        messages.success(request, _("The campaign is archived. Its posts and ideas keep it."))
    else:
        messages.success(request, _("The campaign is back among the active ones."))
    return redirect("publishing:campaign", found.pk)
