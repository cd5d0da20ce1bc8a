"""Outgoing webhooks against a local receiver: delivered, signed, retried, in order, paused.

Every test runs on SQLite and PostgreSQL. The receiver (`webhooks/testpeer.py`) checks the
signature as a real receiver would; what arrived is counted there, not in our database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, User
from socialdesk.core import events
from socialdesk.inbox.models import Notification
from socialdesk.webhooks import delivery, services, signing
from socialdesk.webhooks.models import Delivery, DeliveryState, Event, Subscription
from socialdesk.webhooks.testpeer import Receiver

LOOPBACK = "socialdesk.channels.mastodon.testpeer.loopback_only"
BY = Acting(user=None, label="test")


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.FEED_ADDRESS_POLICY = LOOPBACK
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    with Receiver() as peer:
        yield peer


def subscribe(receiver: Receiver, *kinds: str, name: str = "Tracker") -> Subscription:
    subscription, secret = services.subscription_create(
        by=BY, name=name, url=receiver.url, kinds=list(kinds) or ["conversation.resolved"]
    )
    receiver.secret = secret
    return subscription


def emit(kind: str, *items: tuple[str, dict[str, Any]]) -> None:
    with transaction.atomic():
        events.emit(kind, list(items))


def come_due() -> None:
    """Time passes: every waiting retry is due now (instead of sleeping 30 s)."""
    Delivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__isnull=False).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def run_until_quiet(rounds: int = 50) -> None:
    for _ in range(rounds):
        delivery.deliver_due(budget=10)
        if not Delivery.objects.filter(state=DeliveryState.PENDING).exists():
            return
        come_due()
    raise AssertionError("deliveries still pending")


def test_an_event_arrives_signed_with_its_id_and_data(db: None, receiver: Receiver) -> None:
    subscription = subscribe(receiver, "conversation.resolved")
    emit(
        "conversation.resolved",
        ("conversation:42", {"conversation": {"id": 42}, "status": "resolved"}),
    )
    assert delivery.anything_due()
    done = delivery.deliver_due(budget=10)
    assert done.delivered == 1
    [arrival] = receiver.received
    assert arrival.signed, "the receiver could not verify the signature with the secret"
    body = arrival.json
    assert body["type"] == "conversation.resolved"
    assert body["subject"] == "conversation:42"
    assert body["data"] == {"conversation": {"id": 42}, "status": "resolved"}
    assert arrival.event_id == body["id"] == str(Event.objects.get().uid)
    assert arrival.headers[signing.EVENT.lower()] == "conversation.resolved"
    sent = Delivery.objects.get(subscription=subscription)
    assert (sent.state, sent.response_code, sent.attempts) == (DeliveryState.DELIVERED, 200, 1)
    assert not delivery.anything_due()
    # A signature made with another secret, or an old timestamp, is refused by the check.
    stamp = arrival.headers[signing.TIMESTAMP.lower()]
    signed = arrival.headers[signing.SIGNATURE.lower()]
    assert not signing.verify("whsec_other", arrival.body, stamp, signed)
    assert not signing.verify(receiver.secret, arrival.body, stamp, signed, now=int(stamp) + 3600)
    assert not signing.verify(receiver.secret, arrival.body + b" ", stamp, signed)


def test_only_subscribed_events_are_kept_and_nothing_when_nobody_listens(
    db: None, receiver: Receiver
) -> None:
    emit("conversation.resolved", ("conversation:1", {}))
    assert not Event.objects.exists(), "an event nobody subscribed to was stored"
    subscribe(receiver, "sla.breached")
    assert events.wanted("sla.breached") and not events.wanted("conversation.resolved")
    emit("conversation.resolved", ("conversation:1", {}))
    emit("sla.breached", ("conversation:1", {"deadline": "2026-12-01T10:00:00+00:00"}))
    run_until_quiet()
    assert [a.json["type"] for a in receiver.received] == ["sla.breached"]


def test_a_rolled_back_change_announces_nothing(db: None, receiver: Receiver) -> None:
    subscribe(receiver, "conversation.resolved")
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("conversation.resolved", [("conversation:1", {})])
        raise RuntimeError("the service failed after emitting")
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_server_errors_and_timeouts_are_retried_as_the_same_event(
    db: None, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    subscribe(receiver, "conversation.resolved")
    receiver.fail(2, status=500)
    receiver.stall(1, seconds=1.5)
    emit("conversation.resolved", ("conversation:7", {"n": 1}))
    delivery.deliver_due(budget=10)
    waiting = Delivery.objects.get()
    assert (waiting.state, waiting.attempts, waiting.response_code) == ("pending", 1, 500)
    wait = waiting.next_attempt_at - waiting.last_attempt_at  # type: ignore[operator]
    assert timedelta(seconds=23) <= wait <= timedelta(seconds=37), wait  # 30 s ± 20 %
    delivery.deliver_due(budget=10)
    assert not receiver.received[1:], "a retry was sent before its time"
    come_due()
    delivery.deliver_due(budget=10)  # the second 500
    come_due()
    delivery.deliver_due(budget=10)  # the slow answer: a timeout
    timed_out = Delivery.objects.get()
    assert timed_out.state == "pending" and "timed out" in timed_out.error
    assert timed_out.response_code is None
    come_due()
    delivery.deliver_due(budget=10)
    done = Delivery.objects.get()
    assert (done.state, done.attempts) == (DeliveryState.DELIVERED, 4)
    ids = {a.event_id for a in receiver.received}
    assert len(receiver.received) == 4 and len(ids) == 1, "a retry must carry the same event id"
    assert {a.json["id"] for a in receiver.received} == ids


def test_one_conversation_s_events_arrive_in_order_while_others_go_on(
    db: None, receiver: Receiver
) -> None:
    subscribe(receiver, "message.received")
    receiver.fail(1, status=503, subject="conversation:1")  # its first event fails once
    for n in range(3):
        emit("message.received", ("conversation:1", {"n": n}))
    emit("message.received", ("conversation:2", {"n": 0}))
    delivery.deliver_due(budget=10)
    firsts = [(a.json["subject"], a.json["data"]["n"], a.status) for a in receiver.received]
    assert ("conversation:2", 0, 200) in firsts, "another conversation waited for the failure"
    assert [f for f in firsts if f[0] == "conversation:1"] == [("conversation:1", 0, 503)]
    run_until_quiet()
    arrived = [
        a.json["data"]["n"] for a in receiver.accepted() if a.json["subject"] == "conversation:1"
    ]
    assert arrived == [0, 1, 2]


def test_many_subjects_through_flaky_receiver_keep_each_order(db: None, receiver: Receiver) -> None:
    subscribe(receiver, "message.received")
    for n in range(15):
        emit("message.received", *[(f"conversation:{c}", {"n": n}) for c in range(6)])
    receiver.fail(25, status=500)  # the first 25 requests fail, whichever they are
    run_until_quiet(rounds=100)
    for c in range(6):
        accepted = [
            a.json["data"]["n"]
            for a in receiver.accepted()
            if a.json["subject"] == f"conversation:{c}"
        ]
        assert accepted == list(range(15)), (c, accepted)
    # Each event was accepted once: no event id was delivered as two different events.
    ids = [a.event_id for a in receiver.accepted()]
    assert len(ids) == len(set(ids)) == 90


def test_a_delivery_is_given_up_after_a_day_and_can_be_redelivered(
    db: None, receiver: Receiver
) -> None:
    subscription = subscribe(receiver, "conversation.resolved")
    emit("conversation.resolved", ("conversation:3", {}))
    Delivery.objects.update(give_up_at=timezone.now() + timedelta(seconds=5))
    receiver.fail(1, status=500)
    delivery.deliver_due(budget=10)
    gone = Delivery.objects.get()
    assert gone.state == DeliveryState.FAILED and gone.next_attempt_at is None
    assert not delivery.anything_due()
    services.redeliver(by=BY, delivery=gone)
    delivery.deliver_due(budget=10)
    assert Delivery.objects.get().state == DeliveryState.DELIVERED
    assert [a.status for a in receiver.received] == [500, 200]
    assert receiver.received[0].event_id == receiver.received[1].event_id
    assert AuditEvent.objects.filter(
        action="webhook.redelivered", object_id=str(subscription.pk)
    ).exists()


def test_a_failing_receiver_is_paused_admins_are_told_and_nothing_is_lost(
    db: None, receiver: Receiver, people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "PAUSE_AFTER_FAILURES", 3)
    monkeypatch.setattr(delivery, "PAUSE_AFTER", timedelta(0))
    subscription = subscribe(receiver, "conversation.resolved")
    receiver.fail(3, status=502)
    for n in range(3):
        emit("conversation.resolved", (f"conversation:{n}", {"n": n}))
    delivery.deliver_due(budget=10)
    subscription.refresh_from_db()
    assert subscription.state == "failing" and subscription.failures == 3
    told = Notification.objects.filter(kind=Notification.Kind.WEBHOOK)
    assert list(told.values_list("user__role", flat=True)) == ["admin"]
    assert "Tracker" in told.get().title
    # Held, not forgotten: nothing is due, new events wait too.
    emit("conversation.resolved", ("conversation:9", {"n": 9}))
    come_due()
    assert not delivery.anything_due()
    assert Delivery.objects.filter(state=DeliveryState.PENDING).count() == 4
    services.subscription_resume(by=BY, subscription=subscription)
    run_until_quiet()
    assert sorted(a.json["data"]["n"] for a in receiver.accepted()) == [0, 1, 2, 9]


def test_a_short_outage_does_not_pause(db: None, receiver: Receiver) -> None:
    subscription = subscribe(receiver, "conversation.resolved")
    receiver.fail(30, status=500)
    emit("conversation.resolved", *[(f"conversation:{n}", {}) for n in range(30)])
    delivery.deliver_due(budget=10)
    subscription.refresh_from_db()
    assert subscription.failures == 30 and subscription.state == "active"  # not for an hour
    run_until_quiet()
    subscription.refresh_from_db()
    assert subscription.failures == 0 and subscription.last_success_at is not None


def test_two_workers_never_claim_the_same_delivery(db: None, receiver: Receiver) -> None:
    subscribe(receiver, "conversation.resolved")
    emit("conversation.resolved", *[(f"conversation:{n}", {}) for n in range(100)])
    first, second = delivery.claim(limit=60), delivery.claim(limit=60)
    assert len(first) == 60 and len(second) == 40
    assert not {d.pk for d in first} & {d.pk for d in second}
    assert delivery.claim() == []


def test_a_killed_worker_s_claim_runs_out_and_the_delivery_is_sent(
    db: None, receiver: Receiver
) -> None:
    subscribe(receiver, "conversation.resolved")
    emit("conversation.resolved", ("conversation:5", {}))
    assert len(delivery.claim()) == 1  # ... and the worker dies here
    assert delivery.deliver_due(budget=5).delivered == 0
    Delivery.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert delivery.deliver_due(budget=5).delivered == 1


def test_only_public_addresses_are_reached(db: None, receiver: Receiver, settings: Any) -> None:
    subscribe(receiver, "conversation.resolved")
    settings.FEED_ADDRESS_POLICY = ""  # the production policy: 127.0.0.1 is inside
    emit("conversation.resolved", ("conversation:1", {}))
    delivery.deliver_due(budget=5)
    refused = Delivery.objects.get()
    assert refused.state == "pending" and "inside a network" in refused.error
    assert receiver.received == []
    with override_settings(PRIVATE_NETWORKS=["127.0.0.1/32"]):  # the operator names it
        come_due()
        delivery.deliver_due(budget=5)
    assert Delivery.objects.get().state == DeliveryState.DELIVERED


@pytest.mark.parametrize(
    "data",
    [
        {"text": "NUL\x00 in the middle\x00", "name": "\x00"},
        {"text": "ü" * 100_000, "count": 10**30, "negative": -(2**63) - 1},
        {"nested": [[[{"emoji": "👩‍👩‍👧", "rtl": "مرحبا", "quote": "\"'<script>"}]]]},
    ],
)
def test_hostile_values_are_stored_and_delivered_intact(
    db: None, receiver: Receiver, data: dict[str, Any]
) -> None:
    subscribe(receiver, "message.received")
    emit("message.received", ("conversation:1", data))
    run_until_quiet()
    [arrival] = receiver.received
    assert arrival.signed
    expected = json.loads(json.dumps(data).replace("\\u0000", ""))
    assert arrival.json["data"] == expected


def test_a_ping_reaches_only_its_subscription(db: None, receiver: Receiver) -> None:
    tested = subscribe(receiver, "conversation.resolved")
    with Receiver() as other:
        subscribe(other, "conversation.resolved", name="Other")
        services.send_test(by=BY, subscription=tested)
        run_until_quiet()
        assert other.received == []
    assert [a.json["type"] for a in receiver.received] == ["ping"]


def test_the_readme_s_python_check_accepts_a_real_delivery(db: None, receiver: Receiver) -> None:
    """The verification the README shows receivers works on what we send (and only on that)."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[4] / "README.md").read_text(encoding="utf-8")
    start = readme.index("```python\nimport hashlib, hmac, time")
    code = readme[start + len("```python\n") : readme.index("```", start + 10)]
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # our own README
    subscribe(receiver, "conversation.resolved")
    emit("conversation.resolved", ("conversation:1", {"n": 1}))
    delivery.deliver_due(budget=5)
    [arrival] = receiver.received
    stamp = arrival.headers[signing.TIMESTAMP.lower()]
    signed = arrival.headers[signing.SIGNATURE.lower()]
    assert namespace["verify"](receiver.secret, arrival.body, stamp, signed)
    assert not namespace["verify"](receiver.secret, arrival.body.replace(b"1", b"2"), stamp, signed)
    assert not namespace["verify"]("whsec_wrong", arrival.body, stamp, signed)
