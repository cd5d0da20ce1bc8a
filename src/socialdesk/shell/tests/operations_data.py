"""A small installation in every state an operator watches, with the figures it must show
(written down by hand from what is created here, not computed by the code under test)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from socialdesk.channels.models import ChannelAccount, SetAsideItem, WebhookDelivery
from socialdesk.core import heartbeats
from socialdesk.inbox.models import Conversation, Message
from socialdesk.search.models import SearchBacklog
from socialdesk.sla.tasks import check_slas
from socialdesk.webhooks.models import Delivery, Event, Subscription

ALPHA = "socialdesk.tests.alpha"
BETA = "socialdesk.tests.beta"


def task(path: str, status: str = "READY", **fields: Any) -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.create(
        task_path=path,
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        **fields,
    )


def channel(network: str, handle: str, **fields: Any) -> ChannelAccount:
    return ChannelAccount.objects.create(
        network=network, handle=handle, url=f"https://{handle}.example/", **fields
    )


def conversation(account: ChannelAccount, status: str, waiting: timedelta | None) -> Conversation:
    since = timezone.now() - waiting if waiting is not None else None
    return Conversation.objects.create(
        channel_account=account, status=status, waiting_for_us_since=since
    )


def reply(conversation: Conversation, external_id: str, delivery: str) -> Message:
    return Message.objects.create(
        conversation=conversation,
        channel_account=conversation.channel_account,
        external_id=external_id,
        direction="out",
        text="Danke für Ihre Nachricht!",
        created_at=timezone.now(),
        delivery=delivery,
    )


def webhook_deliveries(states: list[str]) -> None:
    subscription = Subscription.objects.create(name="Tracker", url="https://tracker.example/")
    for n, state in enumerate(states):
        event = Event.objects.create(
            kind="message.received", subject=f"s{n}", created_at=timezone.now(), body="{}"
        )
        Delivery.objects.create(
            subscription=subscription,
            event=event,
            subject=event.subject,
            state=state,
            give_up_at=timezone.now() + timedelta(days=1),
        )


def installation() -> dict[str, Any]:
    """Create the data; return what each figure must be."""
    now = timezone.now()
    for _ in range(3):
        task(ALPHA)
    task(BETA)
    task(BETA, status="RUNNING")
    task(ALPHA, status="SUCCESSFUL")  # done: in no figure
    task(ALPHA, run_after=now + timedelta(hours=1))  # not ready before its time

    mastodon = channel("mastodon", "nordlichtbahn", last_success_at=now - timedelta(seconds=300))
    webhook = channel("webhook", "shop")  # never brought anything in: counted from connecting
    channel("rss", "paused", paused_at=now)  # paused: not watched
    ChannelAccount.objects.create(network="twitter", handle="imported")  # never connected

    conversation(mastodon, "open", timedelta(hours=2))  # the longest waiting
    conversation(mastodon, "open", timedelta(minutes=30))
    conversation(mastodon, "resolved", timedelta(hours=5))  # resolved: nobody waits
    answered = conversation(mastodon, "open", None)
    reply(answered, "r1", "failed")
    reply(answered, "r2", "sent")

    webhook_deliveries(["failed", "pending", "pending", "delivered"])
    WebhookDelivery.objects.create(channel_account=webhook, body=b"{}")
    WebhookDelivery.objects.create(channel_account=webhook, body=b"{}", processed_at=now)
    for n in range(2):
        SetAsideItem.objects.create(channel_account=webhook, external_id=str(n), reason="no id")
    for n in range(3):  # an import stopped before it wrote these search entries
        SearchBacklog.objects.create(kind="message", object_id=100 + n)

    worker = heartbeats.Worker(host="worker-1", pid=4242, started_at=now - timedelta(hours=1))
    heartbeats.beat(worker, now=now - timedelta(seconds=10))
    gone = heartbeats.Worker(host="worker-2", pid=7, started_at=now - timedelta(hours=1))
    heartbeats.beat(gone, now=now - timedelta(minutes=10))
    heartbeats.record_run(check_slas.module_path, now=now - timedelta(seconds=90))
    return {
        "ready": {ALPHA: 3, BETA: 1},
        "running": {BETA: 1},
        "channels": {(str(mastodon.pk), "mastodon"): 300, (str(webhook.pk), "webhook"): 0},
        "waiting": 2,
        "oldest": 7200,
        "sla": 90,
        "sends_failed": 1,
        "webhooks": {"pending": 2, "failed": 1},
        "incoming_pending": 1,
        "set_aside": {"webhook": 2},
        "search_backlog": 3,
        "workers": {"worker-1:4242": 10, "worker-2:7": 600},
        "alive": 1,
    }
