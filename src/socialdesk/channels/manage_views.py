"""Running one channel: its page (name, rhythm), pause, resume, reconnect, disconnect; webhook
channels made in the browser and their signing secret, shown once."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.channels import running, services
from socialdesk.channels.forms import ChannelForm, ConfirmForm, ReconnectForm, WebhookForm
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.channels.selectors import Row, error_text
from socialdesk.channels.views import form_errors, health

RECONNECTS = (Network.MASTODON, Network.BLUESKY)


def _channel(pk: int) -> ChannelAccount:
    return get_object_or_404(ChannelAccount.objects.exclude(handle=""), pk=pk)


def _page(
    request: HttpRequest,
    account: ChannelAccount,
    *,
    form: ChannelForm | None = None,
    reconnect: ReconnectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if account.network in RECONNECTS and reconnect is None:
        reconnect = ReconnectForm(network=account.network)
    return render(
        request,
        "channels/channel.html",
        {
            "row": Row(account, error_text(account)),
            "account": account,
            "form": form or _edit_form(account),
            "reconnect": reconnect,
            "webhook_url": _webhook_url(request, account),
        },
        status=status,
    )


def _edit_form(account: ChannelAccount) -> ChannelForm:
    seconds = account.poll_interval_seconds
    return ChannelForm(
        initial={"name": account.name, "poll_interval_seconds": seconds}, current=seconds
    )


def _webhook_url(request: HttpRequest, account: ChannelAccount) -> str:
    if account.network != Network.WEBHOOK:
        return ""
    return request.build_absolute_uri(reverse("channels:webhook", args=[account.pk]))


@require_http_methods(["GET", "POST"])
def channel(request: HttpRequest, pk: int) -> HttpResponse:
    """A channel's page; POST saves its name and poll rhythm."""
    account = _channel(pk)
    if request.method != "POST":
        return _page(request, account)
    form = ChannelForm(request.POST, current=account.poll_interval_seconds)
    if form.is_valid():
        try:
            running.channel_update(
                by=acting(request),
                account=account,
                name=form.cleaned_data["name"],
                poll_interval_seconds=form.cleaned_data["poll_interval_seconds"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("The channel is saved."))
            return redirect("channels:channel", pk=account.pk)
    return _page(request, account, form=form, status=400)


def _back(request: HttpRequest, pk: int) -> HttpResponse:
    """Back to the list when the button was in it, else to the channel's page."""
    if request.POST.get("next") == "list":
        return redirect("channels:health")
    return redirect("channels:channel", pk=pk)


@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    account = _channel(pk)
    if ConfirmForm(request.POST).is_valid():
        running.channel_pause(by=acting(request), account=account)
        messages.success(
            request,
            _("“%(name)s” is paused: it is not polled until you resume it.")
            % {"name": account.name},
        )
    return _back(request, pk)


@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    account = _channel(pk)
    if ConfirmForm(request.POST).is_valid():
        running.channel_resume(by=acting(request), account=account)
        messages.success(
            request,
            _("“%(name)s” is polled again, the next time within a minute.")
            % {"name": account.name},
        )
    return _back(request, pk)


@require_POST
def reconnect(request: HttpRequest, pk: int) -> HttpResponse:
    account = _channel(pk)
    form = ReconnectForm(request.POST, network=account.network)
    if account.network in RECONNECTS and form.is_valid():
        try:
            running.channel_reconnect(
                by=acting(request), account=account, secret=form.cleaned_data["secret"]
            )
        except ValidationError as error:
            form_errors(form, _secret_field(error))
        else:
            messages.success(
                request,
                _("“%(name)s” is connected again with new credentials.") % {"name": account.name},
            )
            return redirect("channels:channel", pk=account.pk)
    return _page(request, account, reconnect=form, status=400)


def _secret_field(error: ValidationError) -> ValidationError:
    if not hasattr(error, "error_dict"):
        return ValidationError({"secret": error.messages})
    return ValidationError({"secret": [e for errors in error.error_dict.values() for e in errors]})


@require_http_methods(["GET", "POST"])
def disconnect(request: HttpRequest, pk: int) -> HttpResponse:
    """GET says what disconnecting does and asks; POST disconnects."""
    account = _channel(pk)
    if request.method == "POST" and ConfirmForm(request.POST).is_valid():
        running.channel_disconnect(by=acting(request), account=account)
        messages.success(
            request,
            _("“%(name)s” is disconnected. Its conversations and messages are kept.")
            % {"name": account.name},
        )
        return redirect("channels:health")
    stored = account.messages.count()
    return render(request, "channels/disconnect.html", {"account": account, "stored": stored})


@never_cache
@require_POST
def webhook_add(request: HttpRequest) -> HttpResponse:
    """Create a webhook channel; the answer shows its address and secret, this once."""
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            account, secret = services.webhook_add(
                by=acting(request),
                name=form.cleaned_data["name"],
                backfill_url=form.cleaned_data["backfill_url"] or "",
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return _secret_once(request, account, secret, created=True)
    return health(request, webhook_form=form)


@never_cache
@require_POST
def webhook_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """A new signing secret, shown this once; the old one stops working."""
    account = _channel(pk)
    if account.network != Network.WEBHOOK or not ConfirmForm(request.POST).is_valid():
        return redirect("channels:channel", pk=pk)
    secret = running.webhook_new_secret(by=acting(request), account=account)
    return _secret_once(request, account, secret, created=False)


def _secret_once(
    request: HttpRequest, account: ChannelAccount, secret: str, *, created: bool
) -> HttpResponse:
    return render(
        request,
        "channels/webhook_secret.html",
        {
            "account": account,
            "secret": secret,
            "created": created,
            "webhook_url": _webhook_url(request, account),
        },
    )
