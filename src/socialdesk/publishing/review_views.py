"""Review pages: a post's approvals, decisions, comments; approval links; approval steps."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting, client_ip
from socialdesk.accounts.models import Department
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.forms import error_text, form_error_text
from socialdesk.core.http import AppRequest
from socialdesk.publishing import (
    approval_links,
    approvals,
    review_forms,
    review_preview,
    review_services,
    selectors,
    services,
)
from socialdesk.publishing.models import ApprovalMode, ApprovalStep, Post


def _back(request: AppRequest, post: Post) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(wanted)
    return redirect("publishing:post_review", pk=post.pk)


def post_review(request: AppRequest, pk: int) -> HttpResponse:
    """A page with just the review of a post (the post page includes the same tag)."""
    post = selectors.post_for_user(request.user, pk)
    return render(request, "publishing/post/review_page.html", {"post": post})


@require_POST
def post_submit(request: AppRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_user(request.user, pk)
    review_forms.SubmitForm(request.POST).is_valid()
    try:
        services.post_submit(by=acting(request), post=post)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The post was sent for review."))
    return _back(request, post)


@require_POST
def post_approve(request: AppRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_user(request.user, pk)
    form = review_forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return _back(request, post)
    try:
        post = services.post_approve(
            by=acting(request), post=post, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("You approved the post."))
    return _back(request, post)


@require_POST
def post_changes(request: AppRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_user(request.user, pk)
    form = review_forms.ChangesForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return _back(request, post)
    try:
        services.post_request_changes(
            by=acting(request), post=post, comment=form.cleaned_data["comment"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The post went back to its author with your comment."))
    return _back(request, post)


@require_POST
def post_comment(request: AppRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_user(request.user, pk)
    form = review_forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return _back(request, post)
    try:
        review_services.post_comment_add(
            by=acting(request), post=post, text=form.cleaned_data["text"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    return _back(request, post)


@require_http_methods(["GET", "POST"])
def approval_link(request: HttpRequest, token: str) -> HttpResponse:
    """The page of an e-mailed link: the post on each network; approve or ask for changes."""
    try:
        link = approval_links.read_link(token)
    except approval_links.LinkError as error:
        return _link_page(request, {"error": error.message, "reason": error.reason}, 400)
    context = {"link": link, "post": link.post, "networks": review_preview.preview(link.post)}
    if request.method != "POST":
        return _link_page(request, {**context, "form": review_forms.LinkForm()})
    form = review_forms.LinkForm(request.POST)
    if not form.is_valid():
        return _link_page(request, {**context, "form": form}, 400)
    comment, ip = form.cleaned_data["comment"], client_ip(request)
    try:
        if form.cleaned_data["decision"] == "approve":
            approval_links.link_approve(token=token, comment=comment, ip=ip)
        else:
            approval_links.link_request_changes(token=token, comment=comment, ip=ip)
    except approval_links.LinkError as error:
        return _link_page(request, {"error": error.message, "reason": error.reason}, 400)
    except ValidationError as error:
        return _link_page(request, {**context, "form": form, "problem": error_text(error)}, 400)
    return _link_page(request, {**context, "done": form.cleaned_data["decision"]})


def _link_page(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    return render(request, "publishing/approval_link.html", context, status=status)


@require_http_methods(["GET", "POST"])
def approval_steps(request: AppRequest) -> HttpResponse:
    """Managers set the approval steps of each channel and each campaign."""
    if request.method == "POST":
        _steps_change(request)
        return redirect(reverse("publishing:approval_steps") + request.POST.get("anchor", ""))
    steps = list(ApprovalStep.objects.select_related("department").prefetch_related("people"))
    shown = [(s, approvals.describe(s)) for s in steps]
    channels = [
        (c, [(s, who) for s, who in shown if s.channel_id == c.pk])
        for c in ChannelAccount.objects.order_by("network", "handle")
    ]
    campaigns = [
        (c, [(s, who) for s, who in shown if s.campaign_id == c.pk])
        for c in selectors.campaigns_for_user(request.user).filter(archived_at__isnull=True)
    ]
    return render(
        request,
        "publishing/approval_steps.html",
        {
            "channels": channels,
            "campaigns": campaigns,
            "departments": Department.objects.all(),
            "people": review_forms.approvers(),
            "modes": ApprovalMode.choices,
        },
    )


def _steps_change(request: AppRequest) -> None:
    by = acting(request)
    if request.POST.get("action") in ("up", "down", "remove"):
        action = review_forms.StepActionForm(request.POST)
        if not action.is_valid():
            messages.error(request, form_error_text(action))
            return
        step = action.cleaned_data["step"]
        if action.cleaned_data["action"] == "remove":
            review_services.step_remove(by=by, step=step)
            messages.success(request, _("The step was removed."))
        else:
            review_services.step_move(by=by, step=step, up=action.cleaned_data["action"] == "up")
        return
    form = review_forms.StepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return
    try:
        review_services.step_add(by=by, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The step was added."))
