"""The channel page: connect accounts and feeds; every channel's last success and last error."""

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
from socialdesk.channels.forms import BlueskyForm, FeedForm, MastodonForm
from socialdesk.channels.models import ChannelAccount, SetAsideItem


def _form_errors(form: Form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def health(
    request: HttpRequest,
    *,
    mastodon_form: MastodonForm | None = None,
    bluesky_form: BlueskyForm | None = None,
) -> HttpResponse:
    is_feed = request.method == "POST" and mastodon_form is None and bluesky_form is None
    form = FeedForm(request.POST if is_feed else None)
    if is_feed and form.is_valid():
        try:
            account = services.rss_add(
                by=acting(request), url=form.cleaned_data["url"], name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("The feed “%(name)s” is connected; its first poll comes within a minute.")
                % {"name": account.name},
            )
            return redirect("channels:health")
    accounts = (
        ChannelAccount.objects.exclude(handle="")
        .annotate(set_aside_count=Count("set_aside"))
        .order_by("network", "name")
    )
    set_aside = SetAsideItem.objects.select_related("channel_account")[:20]
    return render(
        request,
        "channels/health.html",
        {
            "accounts": accounts,
            "form": form,
            "mastodon_form": mastodon_form or MastodonForm(),
            "bluesky_form": bluesky_form or BlueskyForm(),
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
            _form_errors(form, error)
        else:
            text = (
                _("“%(name)s” is connected; new mentions arrive within a minute.")
                if created
                else _("“%(name)s” is connected again with new credentials.")
            )
            messages.success(request, text % {"name": account.name})
            return redirect("channels:health")
    return health(request, bluesky_form=form)
