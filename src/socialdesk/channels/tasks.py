"""Background work of the channels: poll every channel whose turn has come."""

from __future__ import annotations

import logging

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from socialdesk.channels.fetch import FetchError
from socialdesk.channels.models import ChannelAccount, Network

logger = logging.getLogger(__name__)


def poll_due(limit: int = 50) -> int:
    """Poll the channels that are due; one failing channel never stops the others."""
    from socialdesk.channels.rss.connector import poll as poll_rss

    now = timezone.now()
    due = (
        ChannelAccount.objects.filter(network=Network.RSS)
        .exclude(url="")
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
    )
    stored = 0
    for account in due.order_by("next_poll_at")[:limit]:
        try:
            stored += poll_rss(account)
        except FetchError as error:
            logger.warning("channel %s: %s", account.name, error)
    return stored


@task()
def poll_channels() -> int:
    return poll_due()
