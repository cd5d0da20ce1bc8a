"""Settings → Webhooks as an admin uses it: add, the secret once, the log, redeliver, pause."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from socialdesk.accounts.models import AuditEvent, User
from socialdesk.core import events
from socialdesk.webhooks import delivery
from socialdesk.webhooks.models import Delivery, DeliveryState, Subscription
from socialdesk.webhooks.testpeer import Receiver

LOOPBACK = "socialdesk.channels.mastodon.testpeer.loopback_only"


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.FEED_ADDRESS_POLICY = LOOPBACK
    with Receiver() as peer:
        yield peer


def _add(admin: Client, url: str, kinds: list[str] | None = None) -> Any:
    return admin.post(
        "/settings/webhooks/new/",
        {"name": "Jira", "url": url, "kinds": kinds or ["conversation.resolved", "sla.breached"]},
        follow=True,
    )


def test_an_admin_adds_a_webhook_sees_the_secret_once_and_the_log(
    client_as: Callable[[str], Client], receiver: Receiver
) -> None:
    admin = client_as("admin")
    page = _add(admin, receiver.url)
    html = page.content.decode()
    secret = re.search(r'id="new-secret">(whsec_[^<]+)<', html)
    assert secret, "the new secret is not shown"
    subscription = Subscription.objects.get()
    assert subscription.events == ["conversation.resolved", "sla.breached"]
    assert secret.group(1) == subscription.credentials["secret"]
    assert secret.group(1) not in subscription.credentials_encrypted  # stored encrypted
    again = admin.get(f"/settings/webhooks/{subscription.pk}/").content.decode()
    assert secret.group(1) not in again, "the secret is shown a second time"
    assert "Nothing sent yet" in again

    receiver.secret = secret.group(1)
    admin.post(f"/settings/webhooks/{subscription.pk}/test/")
    delivery.deliver_due(budget=5)
    log = admin.get(f"/settings/webhooks/{subscription.pk}/").content.decode()
    assert "Test event</a>" in log and ">200<" in log and "Delivered" in log
    assert receiver.received[0].signed
    sent = Delivery.objects.get()
    detail = admin.get(f"/settings/webhooks/{subscription.pk}/deliveries/{sent.pk}/")
    assert str(sent.event.uid) in detail.content.decode()
    admin.post(f"/settings/webhooks/{subscription.pk}/deliveries/{sent.pk}/redeliver/")
    delivery.deliver_due(budget=5)
    assert len(receiver.received) == 2
    assert AuditEvent.objects.filter(action="webhook.created").exists()


def test_an_address_inside_the_network_is_refused_at_the_field(
    client_as: Callable[[str], Client], people: dict[str, User], settings: Any
) -> None:
    people["admin"].language = "de"
    people["admin"].save()
    admin = client_as("admin")
    settings.FEED_ADDRESS_POLICY = ""
    html = _add(admin, "http://127.0.0.1:8080/hook").content.decode()
    assert "zeigt in ein Netzwerk" in html, html[html.find("form") :][:2000]
    html = _add(admin, "ftp://example.org/hook").content.decode()
    assert "https://" in html and "Adresse" in html
    html = admin.post(
        "/settings/webhooks/new/", {"name": "x", "url": "https://example.org"}
    ).content.decode()
    assert "Wählen Sie mindestens ein Ereignis." in html
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("role", ["manager", "agent", "member", "viewer"])
def test_only_admins_reach_webhooks(
    client_as: Callable[[str], Client], role: str, receiver: Receiver
) -> None:
    _add(client_as("admin"), receiver.url)
    pk = Subscription.objects.get().pk
    other = client_as(role)
    assert other.get("/settings/webhooks/").status_code == 403
    assert other.get(f"/settings/webhooks/{pk}/").status_code == 403
    assert other.post(f"/settings/webhooks/{pk}/delete/").status_code == 403
    assert Subscription.objects.filter(pk=pk).exists()


def test_pause_holds_resume_sends_and_delete_removes_the_log(
    client_as: Callable[[str], Client], receiver: Receiver
) -> None:
    from django.db import transaction

    admin = client_as("admin")
    _add(admin, receiver.url)
    subscription = Subscription.objects.get()
    receiver.secret = subscription.credentials["secret"]
    admin.post(f"/settings/webhooks/{subscription.pk}/pause/")
    with transaction.atomic():
        events.emit("conversation.resolved", [("conversation:1", {"n": 1})])
    assert not delivery.anything_due()
    page = admin.get(f"/settings/webhooks/{subscription.pk}/").content.decode()
    assert "held while paused" in page and "Paused by hand" in page
    admin.post(f"/settings/webhooks/{subscription.pk}/resume/")
    delivery.deliver_due(budget=5)
    assert Delivery.objects.get().state == DeliveryState.DELIVERED
    overview = admin.get("/settings/webhooks/").content.decode()
    assert "Jira" in overview and receiver.url.split("/hooks")[0] in overview
    admin.post(f"/settings/webhooks/{subscription.pk}/delete/")
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


def test_the_overview_says_what_to_do_when_empty_in_german(
    client_as: Callable[[str], Client], people: dict[str, User]
) -> None:
    people["admin"].language = "de"
    people["admin"].save()
    html = client_as("admin").get("/settings/webhooks/").content.decode()
    assert "Noch kein Webhook" in html and "Webhook hinzufügen" in html
