"""The channel page: connect accounts and feeds; every channel's state and last error, in words."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.channels import services
from socialdesk.channels.forms import BlueskyForm, FeedForm, MastodonForm, WebhookForm
from socialdesk.channels.models import ChannelAccount, SetAsideItem
from socialdesk.channels.selectors import connected_channels


def form_errors(form: Form, error: ValidationError) -> None:
    """Put a service's errors at the form's fields; keep each raw detail for "Details"."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields else None
        form.add_error(target, errors)
        details = [str(e.params["detail"]) for e in errors if e.params and "detail" in e.params]
        if details and target is not None:
            form.fields[target].error_detail = details[0]  # type: ignore[attr-defined]


def _imported_accounts() -> list[ChannelAccount]:
    """Brand handles known from imports: never connected, listed apart with their messages."""
    return list(
        ChannelAccount.objects.exclude(handle="")
        .filter(credentials_encrypted="", url="", disconnected_at__isnull=True)
        .annotate(message_count=Count("messages"))
        .order_by("-message_count", "network", "handle")
    )


@require_http_methods(["GET", "POST"])
def health(
    request: HttpRequest,
    *,
    mastodon_form: MastodonForm | None = None,
    bluesky_form: BlueskyForm | None = None,
    webhook_form: WebhookForm | None = None,
) -> HttpResponse:
    is_feed = request.method == "POST" and not (mastodon_form or bluesky_form or webhook_form)
    form = FeedForm(request.POST if is_feed else None)
    if is_feed and form.is_valid():
        try:
            account = services.rss_add(
                by=acting(request), url=form.cleaned_data["url"], name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                _("The feed “%(name)s” is connected; its first poll comes within a minute.")
                % {"name": account.name},
            )
            return redirect("channels:health")
    set_aside = SetAsideItem.objects.select_related("channel_account")[:20]
    return render(
        request,
        "channels/health.html",
        {
            "rows": connected_channels(),
            "imported": _imported_accounts(),
            "form": form,
            "mastodon_form": mastodon_form or MastodonForm(),
            "bluesky_form": bluesky_form or BlueskyForm(),
            "webhook_form": webhook_form or WebhookForm(),
            "set_aside": set_aside,
        },
    )


@require_POST
def bluesky_connect(request: HttpRequest) -> HttpResponse:
    form = BlueskyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            account, created = services.bluesky_connect(
                by=acting(request),
                handle=data["handle"],
                app_password=data["app_password"],
                service=data["service"],
                name=data["name"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            text = (
                _("“%(name)s” is connected; new mentions arrive within a minute.")
                if created
                else _("“%(name)s” is connected again with new credentials.")
            )
            messages.success(request, text % {"name": account.name})
            return redirect("channels:health")
    return health(request, bluesky_form=form)
