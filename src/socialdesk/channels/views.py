"""The channel health page: every connected channel, its last success and its last error."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from socialdesk.accounts.audit import acting
from socialdesk.channels import services
from socialdesk.channels.forms import FeedForm
from socialdesk.channels.models import ChannelAccount


@require_http_methods(["GET", "POST"])
def health(request: HttpRequest) -> HttpResponse:
    form = FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.rss_add(
                by=acting(request), url=form.cleaned_data["url"], name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("The feed “%(name)s” is connected; its first poll comes within a minute.")
                % {"name": account.name},
            )
            return redirect("channels:health")
    accounts = ChannelAccount.objects.exclude(handle="").order_by("network", "name")
    return render(request, "channels/health.html", {"accounts": accounts, "form": form})
