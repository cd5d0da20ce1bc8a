"""Send the company's queued replies: each at most once, also across crashes and retries.

A queued reply is claimed with one conditional UPDATE (queued → sending), so two workers
never send the same message. Before a message is sent again (after an error, or when a
worker died while sending it: its claim is older than the lease), the network is asked
whether the earlier attempt arrived (`find_sent`); only when it did not is it posted again,
with the same idempotency key. A reply the network refuses for good is marked "not sent"
with the reason and can be queued again from the conversation.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from socialdesk.channels.base import ChannelError, PermanentError, Sent
from socialdesk.channels.leases import renewing
from socialdesk.channels.protocol import finds_sent, sender
from socialdesk.inbox import event_data
from socialdesk.inbox.models import Delivery, Direction, Message

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_MAX = timedelta(hours=1)


def lease() -> timedelta:
    """How long a claim holds without being renewed (the sending worker renews it while it
    works, channels/leases.py): a reply whose worker died is taken over within a minute."""
    return timedelta(seconds=float(settings.SEND_LEASE_SECONDS))


def _ready(now: datetime) -> Q:
    """Queued, and its next try (after a failed one) has come."""
    return Q(delivery=Delivery.QUEUED) & (
        Q(delivery_next_at__isnull=True) | Q(delivery_next_at__lte=now)
    )


def _due() -> Q:
    now = timezone.now()
    return _ready(now) | Q(delivery=Delivery.SENDING, delivery_claimed_at__lt=now - lease())


def send_due(limit: int = 100) -> int:
    """Send what is due (oldest first); return how many reached the network."""
    sent = 0
    ids = list(
        Message.objects.filter(_due())
        .filter(direction=Direction.OUTBOUND)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        try:
            if send_one(pk):
                sent += 1
        except Exception:  # one broken message never stops the queue
            logger.exception("sending message %s failed", pk)
    return sent


def _claim(pk: int) -> datetime | None:
    """Take the message for this worker; return the claim's time (its token), or None when
    someone else has it (or it is done)."""
    now = timezone.now()
    # Queued and due: a worker that read the id before another one's failed attempt set
    # the next try later does not try again before then.
    fresh = Message.objects.filter(_ready(now), pk=pk)
    if fresh.update(delivery=Delivery.SENDING, delivery_claimed_at=now):
        return now
    # A claim older than the lease: its worker died while sending. Count it as an attempt.
    stale = Message.objects.filter(
        pk=pk, delivery=Delivery.SENDING, delivery_claimed_at__lt=now - lease()
    )
    if stale.update(delivery_claimed_at=now, delivery_attempts=_attempts_plus_one()):
        return now
    return None


def _renewing(pk: int, claimed: datetime) -> AbstractContextManager[None]:
    """Renew the claim while the message is still ours and still being sent."""
    at = claimed

    def renew() -> bool:
        nonlocal at
        now = timezone.now()
        moved = Message.objects.filter(
            pk=pk, delivery=Delivery.SENDING, delivery_claimed_at=at
        ).update(delivery_claimed_at=now)
        at = now if moved else at
        return bool(moved)

    return renewing(lease(), renew, f"message {pk}")


def _attempts_plus_one() -> object:
    from django.db.models import F

    return F("delivery_attempts") + 1


def send_one(pk: int) -> bool:
    """Send one message if it is due; True when it is now on the network."""
    claimed = _claim(pk)
    if claimed is None:
        return False
    with _renewing(pk, claimed):
        return _send_claimed(pk)


def _send_claimed(pk: int) -> bool:
    message = Message.objects.select_related("channel_account", "parent").get(pk=pk)
    account = message.channel_account
    if account.disconnected_at is not None:
        # Disconnected: nothing to sign in with, asking the network would only fail.
        _give_up(message, "the channel is disconnected: reconnect it, then send the reply again")
        return False
    module = sender(account.network)
    if module is None:
        _give_up(message, f"{account.get_network_display()} channels cannot send replies")
        return False
    try:
        found: Sent | None = None
        finder = module if finds_sent(module) else None
        if message.delivery_attempts > 0 and finder is not None:
            # The outcome of an earlier attempt is unknown: look before posting again.
            found = finder.find_sent(account, message)
        result = found or module.send(account, message)
    except PermanentError as error:
        _give_up(message, str(error))
        return False
    except ChannelError as error:
        _retry_later(message, error)
        return False
    _mark_sent(message, result)
    return True


def _mark_sent(message: Message, result: Sent) -> None:
    with transaction.atomic():
        meta = {**message.meta, **(result.meta or {})}
        if result.url:
            meta["url"] = result.url
        Message.objects.filter(pk=message.pk).update(
            external_id=result.external_id,
            delivery=Delivery.SENT,
            delivery_error="",
            delivery_next_at=None,
            sent_at=timezone.now(),
            meta=meta,
        )
        event_data.announce_reply(message.pk, sent=True)


def _retry_later(message: Message, error: ChannelError) -> None:
    attempts = message.delivery_attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _give_up(message, f"{error} (gave up after {attempts} attempts)")
        return
    delay = min(timedelta(seconds=15 * 2**attempts), BACKOFF_MAX)
    next_at = max(error.retry_at, timezone.now()) if error.retry_at else timezone.now() + delay
    Message.objects.filter(pk=message.pk, delivery=Delivery.SENDING).update(
        delivery=Delivery.QUEUED,
        delivery_attempts=attempts,
        delivery_error=str(error)[:2000],
        delivery_next_at=next_at,
    )


def _give_up(message: Message, reason: str) -> None:
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            delivery=Delivery.FAILED, delivery_error=reason[:2000], delivery_next_at=None
        )
        event_data.announce_reply(message.pk, sent=False)


def requeue(message: Message) -> None:
    """Queue a reply that was not sent once more (the person asked for it)."""
    Message.objects.filter(pk=message.pk, delivery=Delivery.FAILED).update(
        delivery=Delivery.QUEUED,
        delivery_next_at=None,
        delivery_error="",
        # An earlier attempt may have reached the network: look before posting again.
        delivery_attempts=max(1, message.delivery_attempts),
    )
