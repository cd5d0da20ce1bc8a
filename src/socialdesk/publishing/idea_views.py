"""Story idea pages: the list with its filters, one idea, the form "Tell us your story"."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.accounts.models import Department
from socialdesk.core.forms import form_error_text
from socialdesk.core.http import AppRequest
from socialdesk.core.params import id_param
from socialdesk.inbox.selectors import day_bounds
from socialdesk.publishing import idea_forms as forms
from socialdesk.publishing import idea_services as services
from socialdesk.publishing.idea_selectors import idea_history, posts_to_plan, status_counts
from socialdesk.publishing.models import Idea, IdeaPhoto, IdeaStatus
from socialdesk.publishing.selectors import (
    campaigns_for_user,
    idea_for_user,
    ideas_for_user,
    posts_for_user,
)

PAGE_SIZE = 50


def ideas(request: AppRequest) -> HttpResponse:
    found = ideas_for_user(request.user)
    department = id_param(request.GET.get("department"))
    campaign = id_param(request.GET.get("campaign"))
    if department is not None:
        found = found.filter(department_id=department)
    if campaign is not None:
        found = found.filter(campaign_id=campaign)
    since, until = request.GET.get("since", ""), request.GET.get("until", "")
    start, end = day_bounds(since, until)  # the dashboards' drill-down: submitted in those days
    if start is not None:
        found = found.filter(created_at__gte=start)
    if end is not None:
        found = found.filter(created_at__lt=end)
    counts = status_counts(found)
    status = request.GET.get("status", "")
    if status in IdeaStatus.values:
        found = found.filter(status=status)
    else:
        status = ""
    found = found.annotate(photo_count=Count("photos")).order_by("-created_at", "-pk")
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"status": status, "department": department or "", "campaign": campaign or "",
               "since": since if start else "", "until": until if end else ""}  # fmt: skip
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "publishing/ideas/list.html",
        {
            "page": page,
            "counts": [(value, label, counts[value]) for value, label in IdeaStatus.choices],
            "total": sum(counts.values()),
            "status": status,
            "department": department,
            "campaign": campaign,
            "departments": Department.objects.order_by("name"),
            "campaigns": campaigns_for_user(request.user).order_by("name"),
            "base_query": urlencode({k: v for k, v in filters.items() if v and k != "status"}),
            "query": query,
            "filtered": bool(department or campaign or status or start or end),
        },
    )


@require_http_methods(["GET", "POST"])
def idea_new(request: AppRequest) -> HttpResponse:
    """The form "Tell us your story": every signed-in person may submit one (also at /story/)."""
    first_department = request.user.departments.order_by("name").first()
    campaign = id_param(request.GET.get("campaign"))
    form = forms.IdeaForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial={
            "department": first_department.pk if first_department else None,
            "campaign": campaign,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.idea_submit(
                by=acting(request),
                title=data["title"],
                what_happened=data["what_happened"],
                why_it_matters=data["why_it_matters"],
                department=data["department"],
                people_involved=data["people_involved"],
                about_date=data["about_date"],
                campaign=data["campaign"],
                photos=form.photos(),
            )
        except ValidationError as error:
            form.show_errors(error)
            if request.FILES:
                form.add_error(None, _("Your photos were not kept: choose them again."))
        else:
            messages.success(
                request, _("Thank you! Your story idea is in. You will hear what becomes of it.")
            )
            return redirect("publishing:idea", idea.pk)
    return render(
        request,
        "publishing/ideas/new.html",
        {
            "form": form,
            "departments": Department.objects.order_by("name"),
            "campaigns": forms.active_campaigns(),
        },
    )


def idea(request: AppRequest, pk: int) -> HttpResponse:
    found = idea_for_user(request.user, pk)
    return render(request, "publishing/ideas/detail.html", _detail_context(request, found))


def _detail_context(request: AppRequest, found: Idea, **forms_given: object) -> dict[str, object]:
    plan = forms.PlanForm(choices=_plan_choices(request))
    return {
        "idea": found,
        "photos": found.photos.defer("content"),
        "comments": found.comments.select_related("author"),
        "history": idea_history(found),
        "posts": posts_for_user(request.user).filter(idea=found).order_by("scheduled_at", "pk"),
        "following": found.followers.filter(pk=request.user.pk).exists(),
        "followers": found.followers.count(),
        "comment_form": forms.CommentForm(),
        "decline_form": forms.DeclineForm(),
        "plan_form": plan,
        "campaign_form": forms.IdeaCampaignForm(initial={"campaign": found.campaign_id}),
        "campaigns": forms.active_campaigns(),
        "write_url": f"{reverse('publishing:post_new')}?idea={found.pk}",
        **forms_given,
    }


def _plan_choices(request: AppRequest) -> list[tuple[int, str]]:
    return [(p.pk, str(p)) for p in posts_to_plan(request.user).order_by("-created_at")[:100]]


def idea_photo(request: AppRequest, pk: int) -> HttpResponse:
    """A photo of an idea, for whoever may see the idea (404 for everyone else)."""
    photo = get_object_or_404(IdeaPhoto.objects.only("idea_id"), pk=pk)
    idea_for_user(request.user, photo.idea_id)
    photo = IdeaPhoto.objects.get(pk=pk)
    response = HttpResponse(bytes(photo.content), content_type=photo.mime)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response


def _back(pk: int) -> HttpResponse:
    return redirect("publishing:idea", pk)


def _rerender(request: AppRequest, pk: int, **forms_given: object) -> HttpResponse:
    found = idea_for_user(request.user, pk)
    context = _detail_context(request, found, **forms_given)
    return render(request, "publishing/ideas/detail.html", context, status=400)


@require_POST
def idea_comment(request: AppRequest, pk: int) -> HttpResponse:
    found = idea_for_user(request.user, pk)
    form = forms.CommentForm(request.POST)
    if form.is_valid():
        try:
            services.idea_comment(by=acting(request), idea=found, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("Your comment is added; the followers are told."))
            return _back(pk)
    return _rerender(request, pk, comment_form=form)


@require_POST
def idea_follow(request: AppRequest, pk: int) -> HttpResponse:
    found = idea_for_user(request.user, pk)
    form = forms.FollowForm(request.POST)
    follow = form.is_valid() and form.cleaned_data["follow"]
    if follow:
        services.idea_follow(by=acting(request), idea=found)
        messages.success(request, _("You follow this idea: you hear of its status and comments."))
    else:
        services.idea_unfollow(by=acting(request), idea=found)
        messages.success(request, _("You no longer follow this idea."))
    return _back(pk)


@require_POST
def idea_accept(request: AppRequest, pk: int) -> HttpResponse:
    found = idea_for_user(request.user, pk)
    try:
        services.idea_accept(by=acting(request), idea=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The idea is accepted. Now write a post that tells it."))
    return _back(pk)


@require_POST
def idea_decline(request: AppRequest, pk: int) -> HttpResponse:
    found = idea_for_user(request.user, pk)
    form = forms.DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.idea_decline(
                by=acting(request), idea=found, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The idea is declined; the submitter is told why."))
            return _back(pk)
    return _rerender(request, pk, decline_form=form)


@require_POST
def idea_plan(request: AppRequest, pk: int) -> HttpResponse:
    found = idea_for_user(request.user, pk)
    form = forms.PlanForm(request.POST, choices=_plan_choices(request))
    if form.is_valid():
        chosen = list(posts_to_plan(request.user).filter(pk__in=form.cleaned_data["posts"]))
        try:
            services.idea_plan(by=acting(request), idea=found, posts=chosen)
        except ValidationError as error:
            form.show_errors(error)
        else:
            messages.success(request, _("The posts are linked; the idea is planned."))
            return _back(pk)
    return _rerender(request, pk, plan_form=form)


@require_POST
def idea_campaign(request: AppRequest, pk: int) -> HttpResponse:
    found = idea_for_user(request.user, pk)
    form = forms.IdeaCampaignForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return _back(pk)
    try:
        services.idea_set_campaign(
            by=acting(request), idea=found, campaign=form.cleaned_data["campaign"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The campaign of the idea is saved."))
    return _back(pk)
