"""The delivery panel's actions: "Publish now", "Retry" for a failed channel, and the panel
itself (polled by the post's page while the post is on its way)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialdesk.accounts.audit import acting
from socialdesk.core.forms import error_text, form_error_text
from socialdesk.core.http import AppRequest
from socialdesk.publishing import selectors, services
from socialdesk.publishing.delivery import post_path, target_retry
from socialdesk.publishing.delivery_forms import PublishNowForm, RetryForm
from socialdesk.publishing.templatetags.publishing_delivery import post_delivery as panel


@require_POST
def post_publish_now(request: AppRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_user(request.user, pk)
    form = PublishNowForm(request.POST)
    if form.is_valid():
        try:
            services.post_publish_now(by=acting(request), post=post)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The post goes out now."))
    return redirect(post_path(post))


@require_POST
def post_target_retry(request: AppRequest, pk: int) -> HttpResponse:
    target = selectors.target_for_user(request.user, pk)
    post = target.post
    form = RetryForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return redirect(post_path(post))
    try:
        target_retry(by=acting(request), target=target, texts=form.texts())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The post is tried again on this channel."))
    return redirect(post_path(post))


def post_delivery(request: AppRequest, pk: int) -> HttpResponse:
    post = selectors.post_for_user(request.user, pk)
    return render(request, "publishing/post/_delivery.html", panel({"request": request}, post))
