"""Webhooks through the API: made with the address checked as in the form, the secret once,
the log paged, redelivered, paused and resumed; admins only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from socialdesk.accounts.models import AuditEvent
from socialdesk.api.tests.conftest import Api
from socialdesk.core import events
from socialdesk.webhooks import delivery
from socialdesk.webhooks.models import Delivery, Subscription
from socialdesk.webhooks.testpeer import Receiver

pytestmark = pytest.mark.django_db


def _json(body: object) -> dict[str, Any]:
    return {"data": json.dumps(body), "content_type": "application/json"}


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    with Receiver() as peer:
        yield peer


def test_an_admin_runs_a_webhook_through_the_api(api_as: Api, receiver: Receiver) -> None:
    admin = api_as("admin")
    kinds = admin.get("/api/v1/webhooks/events").json()
    assert {"conversation.resolved", "sla.breached", "post.published"} <= {k["name"] for k in kinds}
    made = admin.post(
        "/api/v1/webhooks",
        **_json({"name": "BI", "url": receiver.url, "events": ["conversation.resolved"]}),
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["state"] == "active"
    receiver.secret = body["secret"]
    assert "secret" not in admin.get(f"/api/v1/webhooks/{body['id']}").json()
    made_by = AuditEvent.objects.get(action="webhook.created")
    assert made_by.token_name, "an API write is audited with the token's name"

    for n in range(3):
        with transaction.atomic():
            events.emit("conversation.resolved", [(f"conversation:{n}", {"n": n})])
    delivery.deliver_due(budget=5)
    first = admin.get(f"/api/v1/webhooks/{body['id']}/deliveries?limit=2").json()
    assert [d["state"] for d in first["items"]] == ["delivered", "delivered"] and first["next"]
    rest = admin.get(
        f"/api/v1/webhooks/{body['id']}/deliveries", {"limit": 2, "cursor": first["next"]}
    ).json()
    assert len(rest["items"]) == 1 and rest["next"] is None
    ids = {d["event_id"] for d in first["items"] + rest["items"]}
    assert ids == {a.event_id for a in receiver.received}

    again = admin.post(
        f"/api/v1/webhooks/{body['id']}/deliveries/{first['items'][0]['id']}/redeliver"
    )
    assert again.status_code == 202 and again.json()["state"] == "pending"
    delivery.deliver_due(budget=5)
    assert receiver.received[-1].event_id == first["items"][0]["event_id"]

    paused = admin.post(f"/api/v1/webhooks/{body['id']}/pause").json()
    assert paused["state"] == "paused"
    ping = admin.post(f"/api/v1/webhooks/{body['id']}/test")
    assert ping.status_code == 202 and ping.json()["next_attempt_at"] is None
    assert admin.post(f"/api/v1/webhooks/{body['id']}/resume").json()["waiting"] == 1
    changed = admin.patch(
        f"/api/v1/webhooks/{body['id']}", **_json({"events": ["sla.breached", "sla.warning"]})
    ).json()
    assert changed["events"] == ["sla.warning", "sla.breached"] and changed["name"] == "BI"
    secret = admin.post(f"/api/v1/webhooks/{body['id']}/secret").json()["secret"]
    assert secret != body["secret"]
    assert Subscription.objects.get().credentials["secret"] == secret
    assert admin.delete(f"/api/v1/webhooks/{body['id']}").status_code == 204
    assert not Delivery.objects.exists()


def test_a_bad_address_or_event_is_a_422_at_its_field_in_the_caller_s_language(
    api_as: Api, settings: Any
) -> None:
    settings.FEED_ADDRESS_POLICY = ""
    admin = api_as("admin", **{"Accept-Language": "de"})
    inside = admin.post(
        "/api/v1/webhooks",
        **_json({"name": "x", "url": "http://10.1.2.3/hook", "events": ["sla.breached"]}),
    )
    assert inside.status_code == 422
    assert "zeigt in ein Netzwerk" in " ".join(inside.json()["errors"]["url"])
    unknown = admin.post(
        "/api/v1/webhooks",
        **_json({"name": "x", "url": "https://example.org/h", "events": ["sla.party"]}),
    )
    assert unknown.status_code == 422 and "sla.party" in " ".join(
        unknown.json()["errors"]["events"]
    )
    nul = admin.post(
        "/api/v1/webhooks",
        **_json({"name": "a\x00b", "url": "https://example.org/h", "events": ["sla.breached"]}),
    )
    assert nul.status_code == 422
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("role", ["manager", "agent", "member", "viewer"])
def test_only_admins_reach_webhooks_through_the_api(api_as: Api, role: str) -> None:
    other = api_as(role)
    assert other.get("/api/v1/webhooks").status_code == 403
    answer = other.post(
        "/api/v1/webhooks",
        **_json({"name": "x", "url": "https://example.org/h", "events": ["sla.breached"]}),
    )
    assert answer.status_code == 403
    assert not Subscription.objects.exists()
