"""Connecting a Mastodon account in the browser: OAuth (app, authorisation, callback) or token."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from socialdesk.accounts.audit import acting
from socialdesk.channels import crypto, errors, services
from socialdesk.channels.base import ChannelError
from socialdesk.channels.forms import MastodonForm
from socialdesk.channels.mastodon import connector

SESSION_KEY = "mastodon_oauth"


def _connected(request: HttpRequest, account_name: str, created: bool) -> HttpResponse:
    if created:
        text = _("“%(name)s” is connected; new mentions arrive within a minute.")
    else:
        text = _("“%(name)s” is connected again with new credentials.")
    messages.success(request, text % {"name": account_name})
    return redirect("channels:health")


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Connect with a pasted token, or register the app and send the person to the instance.

    A GET (a reload after a failed attempt, a bookmark) goes to the channel page's form.
    """
    from socialdesk.channels.views import form_errors, health

    if request.method != "POST":
        return redirect(reverse("channels:health") + "#connect-mastodon")
    form = MastodonForm(request.POST)
    if not form.is_valid():
        return health(request, mastodon_form=form)
    data = form.cleaned_data
    try:
        if data["access_token"]:
            account, created = services.mastodon_connect(
                by=acting(request),
                instance_url=data["instance"],
                access_token=data["access_token"],
                name=data["name"],
            )
            return _connected(request, account.name, created)
        redirect_uri = request.build_absolute_uri(reverse("channels:mastodon_callback"))
        instance, client_id, client_secret = services.mastodon_app(data["instance"], redirect_uri)
        state = secrets.token_urlsafe(24)
        request.session[SESSION_KEY] = {
            "state": state,
            "instance": instance,
            "client_id": client_id,
            "secret": crypto.encrypt({"client_secret": client_secret}),
            "redirect_uri": redirect_uri,
            "name": data["name"],
        }
        url = connector.client(instance).auth_request_url(
            client_id=client_id,
            redirect_uris=redirect_uri,
            scopes=connector.SCOPES,
            state=state,
            skip_server_info=True,
            allow_http=instance.startswith("http://"),
        )
    except ValidationError as error:
        form_errors(form, error)
        return health(request, mastodon_form=form)
    except ChannelError as error:
        form_errors(form, errors.at_field("instance", error, "mastodon"))
        return health(request, mastodon_form=form)
    # A form may only post to this site (CSP form-action 'self'), and that covers redirects
    # too: the way on to the instance is a link, which also says where the person is going.
    return render(request, "channels/mastodon_authorize.html", {"url": url, "instance": instance})


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The instance sends the person back here with a code (or with an error)."""
    pending = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not pending or not secrets.compare_digest(str(pending.get("state", "")), state):
        messages.error(
            request,
            _("This sign-in link is not from a connection started here, or it was used already. "
              "Start again."),
        )  # fmt: skip
        return redirect("channels:health")
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(
            request,
            _("The instance did not authorise socialdesk (%(reason)s). Nothing was connected.")
            % {"reason": request.GET.get("error_description") or request.GET.get("error") or "–"},
        )
        return redirect("channels:health")
    instance = str(pending["instance"])
    client_secret = str(crypto.decrypt(pending["secret"])["client_secret"])
    try:
        api = connector.client(instance)
        api.client_id, api.client_secret = str(pending["client_id"]), client_secret
        token = connector.call(
            api,
            api.log_in,
            code=request.GET["code"],
            redirect_uri=str(pending["redirect_uri"]),
            scopes=connector.SCOPES,
            allow_http=instance.startswith("http://"),
        )
        account, created = services.mastodon_connect(
            by=acting(request),
            instance_url=instance,
            access_token=token,
            name=str(pending.get("name", "")),
            app=(str(pending["client_id"]), client_secret),
        )
    except (ChannelError, ValidationError) as error:
        if isinstance(error, ValidationError):
            reason = " ".join(error.messages)
        else:
            reason = errors.explain(errors.classify(error), "mastodon")
        messages.error(
            request, _("Connecting failed: %(reason)s Nothing was connected.") % {"reason": reason}
        )
        return redirect("channels:health")
    return _connected(request, account.name, created)
