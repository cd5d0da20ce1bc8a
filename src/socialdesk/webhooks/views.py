"""Settings → Webhooks: subscriptions, their delivery log, redelivery (admins only)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from socialdesk.accounts.audit import acting
from socialdesk.core.http import AppRequest
from socialdesk.webhooks import selectors, services
from socialdesk.webhooks.forms import LogFilterForm, SubscriptionForm
from socialdesk.webhooks.models import Subscription

SECRET_KEY = "webhooks_new_secret"  # the session key that carries a new secret to one page view


def overview(request: AppRequest) -> HttpResponse:
    return render(
        request,
        "webhooks/overview.html",
        {"subscriptions": selectors.subscriptions_for(request.user)},
    )


@require_http_methods(["GET", "POST"])
def create(request: AppRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscription, secret = services.subscription_create(
            by=acting(request),
            name=form.cleaned_data["name"],
            url=form.cleaned_data["url"],
            kinds=form.cleaned_data["kinds"],
        )
        request.session[SECRET_KEY] = [subscription.pk, secret]
        messages.success(request, _("The webhook has been created."))
        return redirect("webhooks:detail", subscription.pk)
    return render(request, "webhooks/form.html", {"form": form, "title": _("New webhook")})


@require_http_methods(["GET", "POST"])
def edit(request: AppRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    initial = {"name": subscription.name, "kinds": subscription.events}
    form = SubscriptionForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        services.subscription_update(
            by=acting(request),
            subscription=subscription,
            name=form.cleaned_data["name"],
            url=form.cleaned_data["url"] or None,
            kinds=form.cleaned_data["kinds"],
        )
        messages.success(request, _("The webhook has been saved."))
        return redirect("webhooks:detail", subscription.pk)
    return render(
        request,
        "webhooks/form.html",
        {"form": form, "title": subscription.name, "subscription": subscription},
    )


def detail(request: AppRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    shown = request.session.pop(SECRET_KEY, None)
    secret = shown[1] if shown and shown[0] == subscription.pk else None
    filters = LogFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    deliveries = selectors.deliveries_for(request.user, subscription, state)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/detail.html",
        {
            "subscription": subscription,
            "secret": secret,
            "filters": filters,
            "page": page,
            "query": f"state={state}" if state else "",
        },
    )


def delivery(request: AppRequest, pk: int, delivery_pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    found = selectors.delivery_for(request.user, subscription, delivery_pk)
    body = json.dumps(json.loads(found.event.body), indent=2, ensure_ascii=False)
    return render(
        request,
        "webhooks/delivery.html",
        {"subscription": subscription, "delivery": found, "body": body},
    )


@require_POST
def delete(request: AppRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    services.subscription_delete(by=acting(request), subscription=subscription)
    messages.success(request, _("The webhook has been deleted."))
    return redirect("webhooks:overview")


@require_POST
def pause(request: AppRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    services.subscription_pause(by=acting(request), subscription=subscription)
    messages.success(request, _("Paused: new events wait until you resume."))
    return redirect("webhooks:detail", pk)


@require_POST
def resume(request: AppRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    _subscription, expired = services.subscription_resume(
        by=acting(request), subscription=subscription
    )
    text = _("Resumed: what waited is sent now.")
    if expired:
        text += " " + ngettext(
            "%(count)d event waited longer than a day and was given up; redeliver it below.",
            "%(count)d events waited longer than a day and were given up; redeliver them below.",
            expired,
        ) % {"count": expired}
    messages.success(request, text)
    return redirect("webhooks:detail", pk)


@require_POST
def rotate(request: AppRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    secret = services.secret_rotate(by=acting(request), subscription=subscription)
    request.session[SECRET_KEY] = [subscription.pk, secret]
    messages.success(request, _("A new secret signs every delivery from now on."))
    return redirect("webhooks:detail", pk)


@require_POST
def test(request: AppRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    services.send_test(by=acting(request), subscription=subscription)
    if subscription.active:
        messages.success(request, _("A test event is on its way; its delivery appears below."))
    else:
        messages.warning(request, _("A test event waits until you resume the webhook."))
    return redirect("webhooks:detail", pk)


@require_POST
def redeliver(request: AppRequest, pk: int, delivery_pk: int) -> HttpResponse:
    subscription = selectors.subscription_for(request.user, pk)
    found = selectors.delivery_for(request.user, subscription, delivery_pk)
    services.redeliver(by=acting(request), delivery=found)
    messages.success(request, _("The event will be sent again (with the same event id)."))
    return redirect("webhooks:detail", pk)


@require_POST
def redeliver_failed(request: AppRequest, pk: int) -> HttpResponse:
    subscription: Subscription = selectors.subscription_for(request.user, pk)
    count = services.redeliver_failed(by=acting(request), subscription=subscription)
    messages.success(
        request,
        ngettext(
            "%(count)d given-up event will be sent again.",
            "%(count)d given-up events will be sent again.",
            count,
        )
        % {"count": count},
    )
    return redirect("webhooks:detail", pk)
