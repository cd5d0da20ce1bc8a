"""Background work of the channels: poll every channel whose turn has come, send replies."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from socialdesk.channels import base
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.models import ChannelAccount

logger = logging.getLogger(__name__)


def _claim_for() -> timedelta:
    """A poll that takes longer than this is started again by another worker."""
    return timedelta(seconds=getattr(settings, "CHANNEL_CLAIM_SECONDS", 300))


def due_accounts() -> list[ChannelAccount]:
    now = timezone.now()
    return list(
        ChannelAccount.objects.filter(network__in=list(base.CONNECTORS))
        .exclude(handle="")
        .exclude(url="")
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .order_by("next_poll_at")
    )


def poll_due(limit: int = 50) -> int:
    """Poll the channels that are due; one failing channel never stops the others."""
    stored = 0
    for account in due_accounts()[:limit]:
        if not _claim(account):
            continue  # another worker took it
        try:
            stored += base.poll(account)
        except (base.ChannelError, FetchError) as error:
            logger.warning("channel %s: %s", account.name, error)
        except Exception:
            logger.exception("channel %s: unexpected error", account.name)
            base.record_failure(account, "unexpected error while polling (see the worker's log)")
    return stored


def _claim(account: ChannelAccount) -> bool:
    """Move the channel's next poll ahead, only if no other worker did so since we looked."""
    same = ChannelAccount.objects.filter(pk=account.pk)
    same = (
        same.filter(next_poll_at__isnull=True)
        if account.next_poll_at is None
        else same.filter(next_poll_at=account.next_poll_at)
    )
    return bool(same.update(next_poll_at=timezone.now() + _claim_for()))


@task()
def poll_channels() -> int:
    return poll_due()


@task()
def send_replies() -> int:
    from socialdesk.channels.sending import send_due

    return send_due()


@task()
def process_webhooks() -> int:
    from socialdesk.channels.webhook.receiver import process_pending

    return process_pending()
