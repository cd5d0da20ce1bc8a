"""Strategy pages: the document (everyone signed in reads it), a section's form and history
(managers and admins edit), the objectives."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.goals import strategy_selectors as selectors
from socialdesk.goals import strategy_services as services
from socialdesk.goals import strategy_wiki
from socialdesk.goals.goal_models import Goal
from socialdesk.goals.goal_selectors import goals_for_user
from socialdesk.goals.strategy_forms import OUTLINES, MoveForm, ObjectiveForm, SectionForm
from socialdesk.goals.strategy_models import Objective, SectionKey, StrategySection
from socialdesk.goals.strategy_render import render_markdown
from socialdesk.wiki.managed import managed_page


def strategy(request: AppRequest) -> HttpResponse:
    document = selectors.document_for(request.user)
    for row in document:
        row.outline = str(OUTLINES[row.section.key])
    response = render(
        request,
        "goals/strategy/document.html",
        {
            "document": document,
            "objectives": selectors.objectives(),
            "changed_count": sum(1 for s in document if s.changed),
            "wiki_page": managed_page(strategy_wiki.STRATEGY),
        },
    )
    # Marked as read only after the changes have been shown.
    services.mark_read(user=request.user, sections=[s.section for s in document])
    return response


def _section(key: str) -> StrategySection:
    if key not in SectionKey.values:
        raise Http404
    return next(s for s in selectors.sections() if s.key == key)


@require_http_methods(["GET", "POST"])
def section_edit(request: AppRequest, key: str) -> HttpResponse:
    section = _section(key)
    initial = {"text": section.text, "campaigns": list(section.campaigns.all())}
    form = SectionForm(request.POST if request.method == "POST" else None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = render_markdown(form.cleaned_data["text"][:100_000])
        else:
            try:
                services.section_save(
                    by=acting(request),
                    key=key,
                    text=form.cleaned_data["text"],
                    campaigns=form.cleaned_data["campaigns"],
                )
            except ValidationError as error:
                form.show_errors(error)
            else:
                messages.success(request, _("The section is saved."))
                return redirect(f"{reverse('goals:strategy')}#section-{key}")
    return render(
        request,
        "goals/strategy/edit.html",
        {
            "section": section,
            "label": SectionKey(key).label,
            "form": form,
            "outline": OUTLINES[key],
            "preview": preview,
        },
    )


def section_history(request: AppRequest, key: str) -> HttpResponse:
    section = _section(key)
    versions = list(selectors.versions_of(section)[:200])
    try:
        number = int(request.GET.get("version", "") or (versions[0].number if versions else 0))
    except ValueError:
        number = 0
    diff = selectors.version_diff(section, number) if number else None
    return render(
        request,
        "goals/strategy/history.html",
        {
            "section": section,
            "label": SectionKey(key).label,
            "versions": versions,
            "number": number,
            "diff": diff,
        },
    )


def objectives(request: AppRequest) -> HttpResponse:
    found = list(selectors.objectives())
    measured: dict[int, list[Goal]] = {}
    for goal in goals_for_user(request.user).filter(objective__in=found):
        measured.setdefault(goal.objective_id or 0, []).append(goal)
    for objective in found:
        objective.measured_by = measured.get(objective.pk, [])  # type: ignore[attr-defined]
    return render(request, "goals/strategy/objectives.html", {"objectives": found})


def _objective(pk: int) -> Objective:
    return get_object_or_404(selectors.objectives(), pk=pk)


@require_http_methods(["GET", "POST"])
def objective_new(request: AppRequest) -> HttpResponse:
    form = ObjectiveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_add(by=acting(request), **form.cleaned_data)
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The objective is added."))
            return redirect("goals:objectives")
    return render(request, "goals/strategy/objective_form.html", {"form": form, "objective": None})


@require_http_methods(["GET", "POST"])
def objective_edit(request: AppRequest, pk: int) -> HttpResponse:
    found = _objective(pk)
    initial = {"title": found.title, "description": found.description}
    form = ObjectiveForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(by=acting(request), objective=found, **form.cleaned_data)
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The objective is saved."))
            return redirect("goals:objectives")
    return render(request, "goals/strategy/objective_form.html", {"form": form, "objective": found})


@require_POST
def objective_move(request: AppRequest, pk: int) -> HttpResponse:
    found = _objective(pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        services.objective_move(
            by=acting(request), objective=found, direction=form.cleaned_data["direction"]
        )
    return redirect("goals:objectives")


@require_POST
def objective_remove(request: AppRequest, pk: int) -> HttpResponse:
    found = _objective(pk)
    services.objective_remove(by=acting(request), objective=found)
    messages.success(request, _("The objective “%(title)s” is removed.") % {"title": found.title})
    return redirect("goals:objectives")


@require_POST
def strategy_wiki_show(request: AppRequest) -> HttpResponse:
    """Show the strategy and the guidelines in the wiki (read-only copies kept current)."""
    page = strategy_wiki.show_in_wiki(by=acting(request))
    messages.success(
        request, _("The strategy is now in the wiki and follows every change made here.")
    )
    return redirect("wiki:page", pk=page.pk)
