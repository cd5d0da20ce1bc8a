"""Background work of the channels: poll the channels whose turn has come, store webhooks.

(Replies are sent by the inbox's `send_replies` task, inbox/sending.py.)

A worker claims a channel before polling it by moving its `next_poll_at` a short lease
ahead (CHANNEL_CLAIM_SECONDS, default 45 s), and renews the lease while the poll works
(channels/leases.py). A worker that dies stops renewing: another one takes the channel
over when the lease runs out, within a minute, while a long poll of a live worker is never
polled twice at once.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from django.tasks import TaskResultStatus, task
from django.utils import timezone

from socialdesk.channels import base
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.leases import renewing
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.protocol import CONNECTORS

logger = logging.getLogger(__name__)


def _claim_for() -> timedelta:
    """How long a claim holds without a heartbeat: a dead worker's channel waits this long."""
    return timedelta(seconds=float(settings.CHANNEL_CLAIM_SECONDS))


def due_accounts() -> list[ChannelAccount]:
    now = timezone.now()
    return list(
        ChannelAccount.objects.filter(network__in=list(CONNECTORS))
        .exclude(handle="")
        .exclude(url="")
        .filter(paused_at__isnull=True, disconnected_at__isnull=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("next_poll_at")
    )


def poll_due(limit: int = 50) -> int:
    """Poll the channels that are due; one failing channel never stops the others."""
    stored = 0
    for account in due_accounts()[:limit]:
        claimed = _claim(account)
        if claimed is None:
            continue  # another worker took it
        try:
            with _heartbeat(account.pk, claimed):
                stored += base.poll(account)
        except (base.ChannelError, FetchError) as error:
            logger.warning("channel %s: %s", account.name, error)
        except Exception:
            logger.exception("channel %s: unexpected error", account.name)
            base.record_failure(account, "unexpected error while polling (see the worker's log)")
    return stored


def _claim(account: ChannelAccount) -> datetime | None:
    """Move the channel's next poll a lease ahead, only if no other worker did so since we
    looked; return the lease's end (the claim's token), or None when another worker has it."""
    same = ChannelAccount.objects.filter(
        pk=account.pk, paused_at__isnull=True, disconnected_at__isnull=True
    )
    same = (
        same.filter(next_poll_at__isnull=True)
        if account.next_poll_at is None
        else same.filter(next_poll_at=account.next_poll_at)
    )
    until = timezone.now() + _claim_for()
    return until if same.update(next_poll_at=until) else None


def _heartbeat(pk: int, claimed: datetime) -> AbstractContextManager[None]:
    """Renew the claim (move `next_poll_at` on) while it is still our lease's end: once the
    poll recorded its outcome (the next regular poll time) or another worker took over, the
    renewing stops by itself."""
    lease = _claim_for()
    until = claimed

    def renew() -> bool:
        nonlocal until
        renewed = timezone.now() + lease
        moved = ChannelAccount.objects.filter(pk=pk, next_poll_at=until).update(
            next_poll_at=renewed
        )
        until = renewed if moved else until
        return bool(moved)

    return renewing(lease, renew, f"channel {pk}")


@task()
def poll_channels() -> int:
    return poll_due()


@task()
def process_webhooks() -> int:
    from socialdesk.channels.webhook.receiver import process_pending

    return process_pending()


def batch_waiting_until() -> datetime | None:
    """When the webhook batch task that is queued and not yet started starts (the latest, if
    several; now, if due); None when none waits."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    latest = (
        DBTaskResult.objects.filter(
            task_path=process_webhooks.module_path, status=TaskResultStatus.READY
        )
        .order_by()
        .aggregate(latest=Max("run_after"))["latest"]
    )
    if latest is None:
        return None
    return timezone.now() if latest == get_date_max() else max(latest, timezone.now())


@task()
def refresh_channel_limits() -> int:
    """Read again what each Mastodon instance allows in a post (daily per channel)."""
    from socialdesk.channels.mastodon import limits

    return limits.refresh_due()


@task()
def take_follower_snapshots() -> int:
    """Count the followers of each Mastodon and Bluesky account once a day."""
    from socialdesk.channels import followers

    return followers.snapshot_due()
