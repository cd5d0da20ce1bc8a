"""Every write of the outgoing webhooks: subscriptions (audited), events and redeliveries.

Events come in through `core.events` (registered in `apps.py`): `record` stores the event
once and a delivery per subscriber in the emitting service's transaction. The worker sends
them (`delivery.py`).
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Role, User
from socialdesk.core import events
from socialdesk.inbox.models import Notification
from socialdesk.inbox.notify import notify
from socialdesk.webhooks.models import (
    Delivery,
    DeliveryState,
    Event,
    Subscription,
    SubscriptionState,
)

RETRY_FOR = timedelta(days=1)
"""How long a delivery is retried before it is given up (then it can be redelivered by hand)."""
PING = "ping"
"""The test event an admin sends from the subscription's page (only to that subscription)."""


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def clean(value: Any) -> Any:
    """The data without NUL characters (PostgreSQL cannot keep them, receivers choke on them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {clean(str(k)): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def body_of(uid: uuid.UUID, kind: str, subject: str, at: datetime, data: dict[str, Any]) -> str:
    envelope = {
        "id": str(uid),
        "type": kind,
        "created_at": at.isoformat(),
        "subject": subject,
        "data": clean(data),
    }
    return json.dumps(envelope, separators=(",", ":"), default=str)


# ------------------------------------------------------------------ events (the hook's listener)


def wants(kind: str) -> bool:
    """Is any subscription (also a paused one: it holds its deliveries) subscribed to `kind`?"""
    return any(kind in (s or []) for s in Subscription.objects.values_list("events", flat=True))


def record_events(kind: str, items: Sequence[events.Item]) -> int:
    """Store each item as one event and a delivery per subscriber; return the deliveries made.

    Called by `core.events.emit` inside the emitter's transaction."""
    subscribers = [s for s in Subscription.objects.all() if kind in (s.events or [])]
    return _store(kind, items, subscribers)


def _store(kind: str, items: Sequence[events.Item], subscribers: list[Subscription]) -> int:
    if not subscribers or not items:
        return 0
    now = timezone.now()
    stored = Event.objects.bulk_create(
        [
            Event(uid=uid, kind=kind, subject=subject[:64], created_at=now,
                  body=body_of(uid, kind, subject, now, data))
            for subject, data in items
            for uid in [uuid.uuid4()]
        ]
    )  # fmt: skip
    deliveries = [
        Delivery(
            subscription=subscription,
            event=event,
            subject=event.subject,
            next_attempt_at=now if subscription.active else None,
            give_up_at=now + RETRY_FOR,
            created_at=now,
        )
        for event in stored
        for subscription in subscribers
    ]
    Delivery.objects.bulk_create(deliveries, batch_size=500)
    return len(deliveries)


# ------------------------------------------------------------------ subscriptions


def _snapshot(subscription: Subscription) -> dict[str, Any]:
    return {
        "name": subscription.name,
        "url": subscription.url,
        "events": list(subscription.events),
        "state": subscription.state,
    }


def subscription_create(
    *, by: Acting, name: str, url: str, kinds: list[str], active: bool = True
) -> tuple[Subscription, str]:
    """A new subscription and its signing secret (shown once)."""
    secret = new_secret()
    subscription = Subscription(
        name=name.strip()[:200],
        events=_known(kinds),
        created_by=by.user,
        state=SubscriptionState.ACTIVE if active else SubscriptionState.PAUSED,
        paused_at=None if active else timezone.now(),
    )
    subscription.set_credentials(url=url.strip(), secret=secret)
    with transaction.atomic():
        subscription.save()
        record(by, "webhook.created", subscription, after=_snapshot(subscription))
    return subscription, secret


def subscription_update(
    *, by: Acting, subscription: Subscription, name: str, url: str | None, kinds: list[str]
) -> Subscription:
    """Change name, events and (when given) the address; the secret stays."""
    before = _snapshot(subscription)
    subscription.name = name.strip()[:200]
    subscription.events = _known(kinds)
    if url:
        subscription.set_credentials(url=url.strip(), secret=subscription.credentials["secret"])
    with transaction.atomic():
        subscription.save()
        record(by, "webhook.changed", subscription, before=before, after=_snapshot(subscription))
    return subscription


def subscription_delete(*, by: Acting, subscription: Subscription) -> None:
    with transaction.atomic():
        record(by, "webhook.deleted", subscription, before=_snapshot(subscription))
        subscription.delete()
        Event.objects.filter(deliveries__isnull=True).delete()


def secret_rotate(*, by: Acting, subscription: Subscription) -> str:
    """A new signing secret, from the next send on; returned to be shown once."""
    secret = new_secret()
    subscription.set_credentials(url=subscription.credentials["url"], secret=secret)
    with transaction.atomic():
        subscription.save(update_fields=["url", "credentials_encrypted", "updated_at"])
        record(by, "webhook.secret_rotated", subscription)
    return secret


def subscription_pause(*, by: Acting, subscription: Subscription) -> Subscription:
    with transaction.atomic():
        _hold(subscription, SubscriptionState.PAUSED)
        record(by, "webhook.paused", subscription)
    return subscription


def subscription_resume(*, by: Acting, subscription: Subscription) -> tuple[Subscription, int]:
    """Send again: what waited is sent now, what waited longer than a day is given up (it can
    be redelivered by hand); return how many were given up."""
    now = timezone.now()
    with transaction.atomic():
        held = Delivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING)
        expired = held.filter(give_up_at__lt=now).update(
            state=DeliveryState.FAILED,
            next_attempt_at=None,
            error=gettext("Not sent: the subscription was paused for longer than a day."),
        )
        held.update(next_attempt_at=now, claim="", claimed_until=None)
        Subscription.objects.filter(pk=subscription.pk).update(
            state=SubscriptionState.ACTIVE, paused_at=None, failures=0, failing_since=None
        )
        subscription.refresh_from_db()
        record(by, "webhook.resumed", subscription, after={"given_up": expired})
    return subscription, expired


def _hold(subscription: Subscription, state: str) -> None:
    Subscription.objects.filter(pk=subscription.pk).update(state=state, paused_at=timezone.now())
    Delivery.objects.filter(subscription=subscription, state=DeliveryState.PENDING).update(
        next_attempt_at=None
    )
    subscription.refresh_from_db()


def pause_failing(subscription_id: int) -> bool:
    """Pause a subscription that keeps failing, and tell every admin; False if it was not active."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
        if subscription is None or not subscription.active:
            return False
        _hold(subscription, SubscriptionState.FAILING)
        record(
            Acting(user=None, label="worker"),
            "webhook.paused_after_failures",
            subscription,
            after={"failures": subscription.failures},
        )
        admins = User.objects.filter(is_active=True, role=Role.ADMIN)
        notify(
            admins,
            kind=Notification.Kind.WEBHOOK,
            path=f"/settings/webhooks/{subscription.pk}/",
            title=lambda: (
                gettext("Webhook paused after repeated failures: %(name)s")
                % {"name": subscription.name}
            ),
            template="webhooks/email/paused.txt",
            context={"subscription": subscription},
        )
    return True


# ------------------------------------------------------------------ deliveries


def redeliver(*, by: Acting, delivery: Delivery) -> Delivery:
    """Send this event to this subscriber again (same event id: receivers can tell)."""
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.PENDING,
            next_attempt_at=now if delivery.subscription.active else None,
            give_up_at=now + RETRY_FOR,
            claim="",
            claimed_until=None,
        )
        record(
            by,
            "webhook.redelivered",
            delivery.subscription,
            after={"event": str(delivery.event.uid)},
        )
    delivery.refresh_from_db()
    return delivery


def redeliver_failed(*, by: Acting, subscription: Subscription) -> int:
    """Send every given-up delivery of this subscription again; return how many."""
    now = timezone.now()
    with transaction.atomic():
        count = Delivery.objects.filter(
            subscription=subscription, state=DeliveryState.FAILED
        ).update(
            state=DeliveryState.PENDING,
            next_attempt_at=now if subscription.active else None,
            give_up_at=now + RETRY_FOR,
            claim="",
            claimed_until=None,
        )
        record(by, "webhook.redelivered", subscription, after={"deliveries": count})
    return count


def send_test(*, by: Acting, subscription: Subscription) -> Delivery:
    """A `ping` event to this subscription only, sent by the worker like any other."""
    data = {
        "subscription": {"id": subscription.pk, "name": subscription.name},
        "message": gettext("A test from socialdesk: this address receives its events."),
    }
    with transaction.atomic():
        _store(PING, [(f"webhook:{subscription.pk}", data)], [subscription])
        record(by, "webhook.tested", subscription)
    return Delivery.objects.filter(subscription=subscription).order_by("-event_id").first()  # type: ignore[return-value]


def rotate_keys(keys: list[bytes]) -> int:
    """Re-encrypt every subscription's address and secret under `keys[0]` (rotate-keys)."""
    from socialdesk.core import crypto

    subscriptions = list(Subscription.objects.exclude(credentials_encrypted=""))
    for subscription in subscriptions:
        subscription.credentials_encrypted = crypto.rotate(subscription.credentials_encrypted, keys)
        subscription.save(update_fields=["credentials_encrypted"])
    return len(subscriptions)


def _known(kinds: list[str]) -> list[str]:
    return [kind for kind in events.KINDS if kind in set(kinds)]


def prune(before: datetime) -> int:
    """The worker's cleaning: delivered and given-up deliveries of events before `before` go,
    and events nobody waits for any more."""
    with transaction.atomic():
        count, _ = Delivery.objects.filter(
            event__created_at__lt=before,
            state__in=[DeliveryState.DELIVERED, DeliveryState.FAILED],
        ).delete()
        Event.objects.filter(created_at__lt=before, deliveries__isnull=True).delete()
    return count
